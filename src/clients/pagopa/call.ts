// One request to a pagoPA API with a subscription key (Ocp-Apim-Subscription-Key): the body sent as JSON, a
// refusal thrown as that API's error with its problem.
import type { Problem } from '../../core/problem.ts';
import { readProblem } from '../problem.ts';
import { SUBSCRIPTION_KEY_HEADER } from './wire.ts';

export interface KeyedRequest {
  subscriptionKey: string;
  method?: string;
  body?: unknown;
  /** The media type asked for; none, the API's own. */
  accept?: string;
  timeoutMs: number;
}

export async function keyedFetch(url: string, request: KeyedRequest, Refusal: new (status: number, problem: Problem) => Error): Promise<Response> {
  const json = request.body !== undefined;
  const response = await fetch(url, {
    method: request.method ?? 'GET',
    headers: { [SUBSCRIPTION_KEY_HEADER]: request.subscriptionKey, ...(request.accept ? { accept: request.accept } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(request.body) : undefined,
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  if (!response.ok) throw new Refusal(response.status, await readProblem(response));
  return response;
}

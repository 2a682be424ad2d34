// What a platform answered when it refused a call: its RFC 9457 problem, or one made from the status
// when the body is not a problem (a proxy's HTML page, an empty body).
import { statusTitle, type Problem } from '../core/problem.ts';

export async function readProblem(response: Response): Promise<Problem> {
  const body = (await response.json().catch(() => undefined)) as Partial<Problem> | undefined;
  const problem = body && typeof body === 'object' ? body : {};
  return {
    ...problem,
    type: typeof problem.type === 'string' ? problem.type : 'about:blank',
    title: typeof problem.title === 'string' ? problem.title : statusTitle(response.status),
    status: response.status,
  } as Problem;
}

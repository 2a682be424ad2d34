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

/** A platform refused a call: the status and its problem; `platform` names it in the message. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    platform: string,
  ) {
    super(`${platform} answered ${status}: ${problem.detail ?? problem.title}`);
    this.name = new.target.name;
  }

  /** A string member the platform adds to its problems (GPD's and FdR's `code`, the Nodo's `faultCode`). */
  protected member(name: string): string | undefined {
    const value = (this.problem as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
}

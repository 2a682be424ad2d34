// RFC 9457 problem details, the error format the AgID interoperability guidelines (ModI) ask for.
import { Type, type Static } from '@sinclair/typebox';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InvalidField {
  /** JSON pointer into the request part, e.g. "/body/email". */
  pointer: string;
  /** Human-readable reason, in the user's language where the route knows it. */
  detail: string;
  /** Machine-readable reason, e.g. "format", "required", "checksum". */
  code?: string;
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'the request path and its request id' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String(), code: Type.Optional(Type.String()) })),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);
export type Problem = Static<typeof ProblemSchema>;

/** OpenAPI responses of the given statuses, each a problem+json (the schema registered as 'Problem'). */
export const problemResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')]));

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function problemType(slug: string): string {
  return `urn:sportello:problem:${slug}`;
}

/** Thrown by handlers; turned into problem+json (or an error page) by the server's error handler. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: InvalidField[];
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  constructor(
    status: number,
    options: {
      type?: string;
      title?: string;
      detail?: string;
      errors?: InvalidField[];
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(options.detail ?? options.title ?? statusTitle(status));
    this.name = 'HttpProblem';
    this.status = status;
    this.type = options.type ?? 'about:blank';
    this.title = options.title ?? statusTitle(status);
    this.detail = options.detail;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }

  toJSON(instance?: string): Problem {
    return {
      ...this.extra,
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = (detail?: string) => new HttpProblem(404, { type: problemType('not-found'), detail });
export const forbidden = (detail?: string) => new HttpProblem(403, { type: problemType('forbidden'), detail });
export const unauthorized = (detail?: string) => new HttpProblem(401, { type: problemType('unauthorized'), detail });
export const conflict = (detail?: string) => new HttpProblem(409, { type: problemType('conflict'), detail });

export function invalid(errors: InvalidField[], detail = 'The request contains invalid fields.'): HttpProblem {
  return new HttpProblem(400, { type: problemType('validation'), title: 'Invalid request', detail, errors });
}

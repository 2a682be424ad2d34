// Discriminated result shared by every validator of the domain, so HTTP layers can map `reason` to i18n messages.

export interface Valid<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Invalid<R extends string> {
  readonly ok: false;
  readonly reason: R;
  /** English, developer-facing explanation; user-facing text should be looked up by `reason`. */
  readonly message: string;
}

export type ValidationResult<T, R extends string> = Valid<T> | Invalid<R>;

export function valid<T>(value: T): Valid<T> {
  return { ok: true, value };
}

export function invalid<R extends string>(reason: R, message: string): Invalid<R> {
  return { ok: false, reason, message };
}

// TypeBox helpers every room's wire schemas share.
import { Type } from '@sinclair/typebox';

/** A string enum as JSON Schema `enum` (TypeBox's own union of literals documents worse in OpenAPI). */
export const Enum = <T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

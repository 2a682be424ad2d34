// Public API of the domain layer: pure functions and datasets about Italian public-service identifiers.

export * from './result.ts';
export * from './dates.ts';
export * from './municipalities.ts';
export * from './fiscal-code.ts';
export * from './partita-iva.ts';
export * from './iban.ts';
export * from './holidays.ts';
export * from './contacts.ts';
export * from './demo-people.ts';
export { italianCheckCharacter } from './check-character.ts';

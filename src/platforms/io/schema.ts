/** The IO app's PostgreSQL schema (named after the app, as every app's is). */
export const SCHEMA = 'io';

// Errors the `sportello` command prints as a plain message (no stack): the user typed something wrong.

/** A command line the user should correct; the message says how (a room's own usage text, say). */
export class CommandError extends Error {}

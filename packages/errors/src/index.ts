/**
 * The one error base of Hermit. Every package throws subclasses of `HermitError` with a stable
 * `code` (the CLI maps codes to exit statuses), a short message, the `cause` when there is one,
 * and a `hint` that says what to do about it. Messages never carry secrets.
 */
export type HermitErrorOptions = {
  cause?: unknown
  hint?: string
  /** Structured, non-secret context (a file path, a field name, a port…). */
  details?: Record<string, unknown>
}

export class HermitError<C extends string = string> extends Error {
  readonly code: C
  readonly hint: string | undefined
  readonly details: Record<string, unknown>
  readonly shortMessage: string

  constructor(code: C, message: string, options: HermitErrorOptions = {}) {
    super(withHint(message, options.hint), options.cause === undefined ? undefined : { cause: options.cause })
    // the subclass's own name ("ForkError", "PaymentError"…), so no subclass has to restate it
    this.name = new.target.name
    this.code = code
    this.shortMessage = message
    this.hint = options.hint
    this.details = options.details ?? {}
  }

  /** A JSON-safe view for `--json` output and logs. */
  toJSON(): { name: string; code: C; message: string; hint?: string; details: Record<string, unknown> } {
    return {
      name: this.name,
      code: this.code,
      message: this.shortMessage,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      details: this.details,
    }
  }
}

function withHint(message: string, hint: string | undefined): string {
  return hint === undefined ? message : `${message}\n\nHint: ${hint}`
}

export function isHermitError(value: unknown): value is HermitError {
  return value instanceof HermitError
}

/**
 * The one-line message of any error, without its hint or a library's detail lines: a HermitError's
 * or viem's `shortMessage`, else the first line of `message`. For wrapping a cause in a new message.
 */
export function shortMessageOf(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'shortMessage' in error && typeof error.shortMessage === 'string')
    return error.shortMessage
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] ?? message
}

/** Turns a zod-style issue path into `a.b[2].c` for error messages that name the field. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out === '' ? '(root)' : out
}

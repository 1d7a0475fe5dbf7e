import { HermitError, isHermitError } from '@hermit/errors'

export const CLI_ERROR_CODES = [
  'CLI_BAD_ARGUMENT',
  'CLI_INPUT_NOT_JSON',
  'CLI_INPUT_UNREADABLE',
  'CLI_MISSING_SECRET',
  'CLI_NO_FUNDS',
  'CLI_NOT_A_POOL',
  'CLI_NOT_A_TOKEN',
  'CLI_POLICY_INVALID',
  'CLI_PORT_IN_USE',
  'CLI_RPC_UNREACHABLE',
  'CLI_UNREACHABLE',
  'CLI_WRONG_CHAIN',
] as const
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number]

/** What the CLI itself refuses: its arguments, its input files and the chain it is pointed at. */
export class CliError extends HermitError<CliErrorCode> {}

/** A command-line option that does not parse; names the flag. */
export class CliArgumentError extends CliError {}

/** Node's error for a port another process holds, as the CLI's own CLI_PORT_IN_USE naming the flag; other errors as they are. */
export function portInUse(error: unknown, port: number, flag = '-p/--port'): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return error
  return new CliError('CLI_PORT_IN_USE', `Port ${port} is in use by another process.`, {
    cause: error,
    hint: `Pick another port with ${flag} (0 picks a free one), or stop what listens on ${port}.`,
  })
}

/** Hints the libraries give in their own terms (an option name), said in the CLI's: the flag. */
const CLI_HINTS: Partial<Record<string, string>> = {
  DEVNET_PORT_IN_USE: 'Stop whatever listens there, or pick another port with -p/--port (0 picks a free one).',
  ZKPAY_ANONYMITY_TOO_SMALL: 'Wait for more deposits into the pool, or lower --min-anonymity.',
}

/** Hints for library errors that come without one: under --json every error has a hint (what to do next). */
const HINTS_IF_NONE: Partial<Record<string, string>> = {
  ZKPAY_KEYSTORE_WEAK_PASSWORD: 'Set HERMIT_KEYSTORE_PASSWORD to 8 characters or more.',
  ZKPAY_KEYSTORE_WRONG_PASSWORD:
    'Set HERMIT_KEYSTORE_PASSWORD to the password the keystore was made with, and pass the right -k/--keystore.',
  CHAIN_KEYSTORE_WEAK_PASSWORD: 'Set HERMIT_KEYSTORE_PASSWORD to 8 characters or more.',
  CHAIN_KEYSTORE_WRONG_PASSWORD:
    'Set HERMIT_KEYSTORE_PASSWORD to the password the keystore was made with, and pass the right keystore file.',
  CHAIN_KEYSTORE_INVALID: 'Pass a keystore `hermit keys new` or `hermit keys import` wrote.',
  ZKPAY_NOT_PAID_ENDPOINT: 'Point it at a paid endpoint: for `hermit pay proxy`, the URL `hermit gateway` printed.',
  MCP_GUARD_CONFIG_INVALID:
    'A config is JSON: { from, tools: { name: mapping }, builtins, acknowledgeArgument } (see the README, For agents).',
}

/**
 * The same error with the CLI's hint: when the library's names an option rather than a flag, or
 * when it has none.
 */
export function withCliHint(error: unknown): unknown {
  if (!isHermitError(error)) return error
  const hint = CLI_HINTS[error.code] ?? (error.hint ? undefined : HINTS_IF_NONE[error.code])
  if (hint === undefined || error.hint === hint) return error
  const again = new HermitError(error.code, error.shortMessage, { cause: error, hint, details: error.details })
  again.name = error.name // the library's class name stays, for --json's `name`
  return again
}

/**
 * What could not reach its server, with the reason to show: fetch's bare "fetch failed" (the
 * reason is its cause), or a socket error with its code, as the paying client's transport gives.
 * Undefined for any other error.
 */
export function unreachableReason(error: unknown): unknown {
  if (error instanceof TypeError && error.message === 'fetch failed') return error.cause ?? error
  const code = (error as { code?: unknown } | null)?.code
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN)$/.test(code)
  )
    return error
  return undefined
}

import { HermitError } from '@hermit/errors'

export const CLI_ERROR_CODES = [
  'CLI_BAD_ARGUMENT',
  'CLI_INPUT_NOT_JSON',
  'CLI_INPUT_UNREADABLE',
  'CLI_MISSING_SECRET',
  'CLI_NOT_A_POOL',
  'CLI_POLICY_INVALID',
  'CLI_RPC_UNREACHABLE',
  'CLI_WRONG_CHAIN',
] as const
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number]

/** What the CLI itself refuses: its arguments, its input files and the chain it is pointed at. */
export class CliError extends HermitError<CliErrorCode> {}

/** A command-line option that does not parse; names the flag. */
export class CliArgumentError extends CliError {}

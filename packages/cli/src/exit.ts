import { CommanderError } from 'commander'
import { isHermitError, type HermitError } from '@hermit/errors'

/**
 * Exit statuses of `hermit`. 0–2 are verdicts where a command gives one (`verify`: allow, warn,
 * block); the rest follow sysexits.h so scripts can tell bad input from a missing tool.
 */
export const ExitCode = {
  ok: 0,
  warn: 1,
  block: 2,
  usage: 64,
  dataError: 65,
  unavailable: 69,
  internal: 70,
  ioError: 74,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

const byCode: Record<string, ExitCode> = {
  CLI_BAD_ARGUMENT: ExitCode.usage,
  DEVNET_BAD_OPTIONS: ExitCode.usage,
  DEPLOYMENTS_INVALID: ExitCode.dataError,
  DEPLOYMENTS_NOT_JSON: ExitCode.dataError,
  DEPLOYMENTS_UNREADABLE: ExitCode.ioError,
  ANVIL_NOT_FOUND: ExitCode.unavailable,
  PORT_IN_USE: ExitCode.unavailable,
  FORK_FAILED: ExitCode.unavailable,
  RPC_UNREACHABLE: ExitCode.unavailable,
  REQUEST_INVALID: ExitCode.dataError,
  CHAIN_MISMATCH: ExitCode.dataError,
  POLICY_INVALID: ExitCode.dataError,
  INPUT_NOT_JSON: ExitCode.dataError,
  INPUT_UNREADABLE: ExitCode.ioError,
  SIMULATION_FAILED: ExitCode.unavailable,
  LLM_BAD_SPEC: ExitCode.usage,
  CLI_MISSING_SECRET: ExitCode.usage,
  KEYSTORE_EXISTS: ExitCode.dataError,
  TICKETS_EXIST: ExitCode.dataError,
  KEYSTORE_WRONG_PASSWORD: ExitCode.dataError,
  KEYSTORE_UNREADABLE: ExitCode.ioError,
  KEYSTORE_INVALID: ExitCode.dataError,
  TICKETS_EXHAUSTED: ExitCode.unavailable,
  ZKPAY_ANONYMITY_TOO_SMALL: ExitCode.unavailable,
  CLI_WRONG_CHAIN: ExitCode.dataError,
  JOB_UNKNOWN: ExitCode.dataError,
  JOB_NOT_EXPIRED: ExitCode.unavailable,
  JOB_NOTHING_TO_REFUND: ExitCode.dataError,
  JOB_REVERTED: ExitCode.dataError,
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
  if (isHermitError(error)) return byCode[(error as HermitError).code] ?? ExitCode.internal
  return ExitCode.internal
}

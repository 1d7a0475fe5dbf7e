import { HermitError } from '@hermit/errors'

export const TXGUARD_ERROR_CODES = [
  'TXGUARD_CHAIN_MISMATCH',
  'TXGUARD_NO_SIMULATION_CHAIN',
  'TXGUARD_REQUEST_INVALID',
  'TXGUARD_RECORD_INVALID',
  'TXGUARD_SIMULATION_FAILED',
] as const
export type TxGuardErrorCode = (typeof TXGUARD_ERROR_CODES)[number]

export class TxGuardError extends HermitError<TxGuardErrorCode> {}

/** The request to verify does not parse, or does not fit the chain it is checked on; names the field. */
export class RequestInvalidError extends TxGuardError {}

/** The chain to simulate on could not trace the call. */
export class SimulationError extends TxGuardError {}

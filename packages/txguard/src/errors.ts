import { HermitError } from '@hermit/errors'

export class TxGuardError extends HermitError {
  override name = 'TxGuardError'
}

/** The request to verify does not parse; names the field. */
export class RequestInvalidError extends TxGuardError {
  override name = 'RequestInvalidError'
}

/** The chain to simulate on could not trace the call. */
export class SimulationError extends TxGuardError {
  override name = 'SimulationError'
}

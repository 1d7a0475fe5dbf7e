import { HermitError } from '@hermit/errors'

export class AgentError extends HermitError {
  override name = 'AgentError'
}

/** An escrow or hook call that reverted, with the contract's error name. */
export class JobRevertError extends AgentError {
  override name = 'JobRevertError'
}

/** A wait that ran out: nobody quoted, delivered or decided in time. */
export class JobTimeoutError extends AgentError {
  override name = 'JobTimeoutError'
}

/** A deliverable that cannot be fetched, is too large, or does not match its on-chain hash. */
export class DeliverableError extends AgentError {
  override name = 'DeliverableError'
}

/** No registered agent offers the skill within the price and reputation asked. */
export class NoAgentError extends AgentError {
  override name = 'NoAgentError'
}

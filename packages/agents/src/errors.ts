import { HermitError } from '@hermit/errors'

/** Every code an @hermit/agents error (or the CLI's jobs / agents commands) can carry. */
export const AGENTS_ERROR_CODES = [
  'AGENTS_NO_ESCROW',
  'AGENTS_NO_WALLET',
  'AGENTS_NO_EVENT',
  'AGENTS_BAD_ARGS',
  'AGENTS_BAD_STATE',
  'AGENTS_OTHER_CHAIN',
  'AGENTS_NO_SERVICE',
  'AGENTS_NO_PROVIDER',
  'AGENTS_NOT_CLIENT',
  'AGENTS_NOT_SUBMITTED',
  'AGENTS_HANDLER_ABORTED',
  'AGENTS_JOB_TIMEOUT',
  'AGENTS_JOB_UNKNOWN',
  'AGENTS_JOB_NOT_EXPIRED',
  'AGENTS_JOB_NOTHING_TO_REFUND',
  'AGENTS_DELIVERABLE_UNAVAILABLE',
  'AGENTS_DELIVERABLE_MISMATCH',
] as const
export type AgentsErrorCode = (typeof AGENTS_ERROR_CODES)[number]

/** An escrow or hook call that reverts is chain's `ContractRevertError` (CHAIN_REVERTED), not one of these. */
export class AgentError extends HermitError<AgentsErrorCode> {}

/** A wait that ran out: nobody quoted, delivered or decided in time. */
export class JobTimeoutError extends AgentError {}

/** A deliverable that cannot be fetched, is too large, or does not match its on-chain hash. */
export class DeliverableError extends AgentError {}

/** No registered agent offers the skill within the price and reputation asked. */
export class NoAgentError extends AgentError {}

import { HermitError } from '@hermit/errors'

export const LLM_ERROR_CODES = [
  'LLM_ABORTED',
  'LLM_BAD_RESPONSE',
  'LLM_BAD_SPEC',
  'LLM_INVALID_OUTPUT',
  'LLM_NONE',
  'LLM_SERVER_ERROR',
  'LLM_TIMEOUT',
  'LLM_TOO_MANY_STEPS',
  'LLM_UNAVAILABLE',
] as const
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number]

export class LlmError extends HermitError<LlmErrorCode> {}

/** The model answered, but not with what the schema asks for (after every retry). */
export class LlmOutputError extends LlmError {}

/** The model server could not be reached, answered with an error, or timed out. */
export class LlmUnavailableError extends LlmError {}

export class LlmAbortedError extends LlmError {}

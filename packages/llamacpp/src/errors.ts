import { HermitError } from '@hermit/errors'

export const LLAMACPP_ERROR_CODES = [
  'LLAMACPP_BAD_SPEC',
  'LLAMACPP_CONTEXT_TOO_SMALL',
  'LLAMACPP_LOAD_FAILED',
  'LLAMACPP_MODEL_NOT_FOUND',
  'LLAMACPP_MODEL_TOO_LARGE',
  'LLAMACPP_NOT_GGUF',
] as const
export type LlamaCppErrorCode = (typeof LLAMACPP_ERROR_CODES)[number]

/** The model file cannot be used, or a call does not fit it. Timeouts and cancellations are @hermit/llm's errors. */
export class LlamaCppError extends HermitError<LlamaCppErrorCode> {}

import { HermitError } from '@hermit/errors'

export class LlmError extends HermitError {
  override name = 'LlmError'
}

/** The model answered, but not with what the schema asks for (after every retry). */
export class LlmOutputError extends LlmError {
  override name = 'LlmOutputError'
}

/** The model server could not be reached, answered with an error, or timed out. */
export class LlmUnavailableError extends LlmError {
  override name = 'LlmUnavailableError'
}

export class LlmAbortedError extends LlmError {
  override name = 'LlmAbortedError'
}

import { LlmAbortedError, LlmUnavailableError } from './errors.ts'

export const DEFAULT_TIMEOUT_MS = 60_000

/** One signal for the caller's cancellation and the request timeout. */
export function requestSignal(signal: AbortSignal | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}

/** Maps fetch/abort failures to Hermit errors, telling a timeout from a cancellation. */
export function transportError(error: unknown, label: string, signal: AbortSignal, caller?: AbortSignal): Error {
  if (caller?.aborted)
    return new LlmAbortedError('LLM_ABORTED', `The call to ${label} was cancelled.`, { cause: error })
  if (signal.aborted) {
    return new LlmUnavailableError('LLM_TIMEOUT', `${label} did not answer in time.`, {
      hint: 'Raise timeoutMs, use a smaller model, or check that the model server is not overloaded.',
      cause: error,
    })
  }
  return new LlmUnavailableError(
    'LLM_UNAVAILABLE',
    `Cannot reach ${label}: ${(error as Error)?.message ?? String(error)}`,
    {
      hint: 'Start the model server (e.g. `ollama serve`) and check OLLAMA_HOST / the base URL.',
      cause: error,
    },
  )
}

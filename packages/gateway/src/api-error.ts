import type { Api } from './pricing.ts'

/** An error in the client's own API format: an OpenAI error object, or Ollama's `{ error }`. */
export function apiError(api: Api, code: string, message: string): unknown {
  return api === 'openai' ? { error: { message, type: 'hermit_error', param: null, code } } : { error: message }
}

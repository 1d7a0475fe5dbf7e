import { LlmError } from './errors.ts'
import type { LlmProvider } from './types.ts'

export const NO_MODEL_REASON = 'no model consulted: the provider is `none` (deterministic mode)'

/**
 * The `none` provider. Structured calls (`generateObject`) return `{ consulted: false }`; raw chat
 * throws, because there is no honest text to return.
 */
export const noneProvider: LlmProvider = {
  kind: 'none',
  model: null,
  label: 'none',
  async chat() {
    throw new LlmError('LLM_NONE', NO_MODEL_REASON, {
      hint: 'Use generateObject(), which reports "not consulted", or configure a model.',
    })
  },
  // eslint-disable-next-line require-yield
  async *stream() {
    throw new LlmError('LLM_NONE', NO_MODEL_REASON, { hint: 'Configure a model to stream text.' })
  },
}

import { z } from 'zod'
import { LlmError } from './errors.ts'
import { noneProvider } from './none.ts'
import { ollamaProvider } from './ollama.ts'
import { openAiCompatibleProvider } from './openai.ts'
import type { LlmProvider } from './types.ts'

const specSchema = z.union([
  z.literal('none'),
  z.string().regex(/^ollama:[^\s]+$/, 'expected ollama:<model>'),
  z.string().regex(/^openai:[^\s]+$/, 'expected openai:<model>'),
])

export type ProviderEnv = {
  /** OLLAMA_HOST at the CLI edge. */
  ollamaHost?: string
  /** Base URL of an OpenAI-compatible local server (e.g. HERMIT_OPENAI_BASE_URL). */
  openAiBaseUrl?: string
  openAiApiKey?: string
  timeoutMs?: number
}

/** `none`, `ollama:<model>` or `openai:<model>` (with `openAiBaseUrl`) → a provider. */
export function providerFromSpec(spec: string, env: ProviderEnv = {}): LlmProvider {
  const parsed = specSchema.safeParse(spec)
  if (!parsed.success) {
    throw new LlmError('LLM_BAD_SPEC', `Unknown model spec "${spec}".`, {
      hint: 'Use none, ollama:<model> (e.g. ollama:llama3.2) or openai:<model>.',
    })
  }
  if (spec === 'none') return noneProvider
  const [kind, ...rest] = spec.split(':')
  const model = rest.join(':')
  const timeout = env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }
  if (kind === 'ollama')
    return ollamaProvider({ model, ...(env.ollamaHost ? { host: normalizeHost(env.ollamaHost) } : {}), ...timeout })
  if (!env.openAiBaseUrl) {
    throw new LlmError('LLM_BAD_SPEC', 'openai:<model> needs the base URL of the local server.', {
      hint: 'Set HERMIT_OPENAI_BASE_URL, e.g. http://127.0.0.1:8080.',
    })
  }
  return openAiCompatibleProvider({
    model,
    baseUrl: env.openAiBaseUrl,
    ...(env.openAiApiKey ? { apiKey: env.openAiApiKey } : {}),
    ...timeout,
  })
}

/** OLLAMA_HOST may be "host:port" without a scheme, as the ollama CLI accepts. */
export function normalizeHost(host: string): string {
  return /^https?:\/\//.test(host) ? host : `http://${host}`
}

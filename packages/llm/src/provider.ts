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

/**
 * Makes a provider for a scheme this package does not know, e.g. `llamacpp:<path>`: the layer
 * above (the CLI) passes it, so @hermit/llm never imports the packages built on top of it.
 */
export type SpecResolver = (rest: string, env: ProviderEnv) => LlmProvider

/**
 * `none`, `ollama:<model>` or `openai:<model>` (with `openAiBaseUrl`) → a provider; any other
 * `<scheme>:<rest>` goes to `resolvers[scheme]` when one is given.
 */
export function providerFromSpec(
  spec: string,
  env: ProviderEnv = {},
  resolvers: Readonly<Record<string, SpecResolver>> = {},
): LlmProvider {
  const scheme = /^([a-z][a-z0-9-]*):(.+)$/.exec(spec)
  const resolver = scheme && Object.hasOwn(resolvers, scheme[1]!) ? resolvers[scheme[1]!] : undefined
  if (resolver) return resolver(scheme![2]!, env)
  const parsed = specSchema.safeParse(spec)
  if (!parsed.success) {
    const extra = Object.keys(resolvers).map((k) => `, ${k}:…`)
    throw new LlmError('LLM_BAD_SPEC', `Unknown model spec "${spec}".`, {
      hint: `Use none, ollama:<model> (e.g. ollama:llama3.2) or openai:<model>${extra.join('')}.`,
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

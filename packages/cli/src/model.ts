import { llamaCppSpec } from '@hermit/llamacpp'
import { providerFromSpec, type LlmProvider, type SpecResolver } from '@hermit/llm'

/**
 * Model schemes beyond @hermit/llm's own (none, ollama:, openai:). @hermit/llm sits below the
 * packages that add providers, so the CLI, which may import every package, hands them in here.
 */
export const MODEL_RESOLVERS: Readonly<Record<string, SpecResolver>> = { llamacpp: llamaCppSpec }

/** `--model`, else HERMIT_MODEL, else `none`: the provider a command consults. */
export function modelFromSpec(spec: string | undefined): LlmProvider {
  return providerFromSpec(
    spec ?? process.env.HERMIT_MODEL ?? 'none',
    {
      ...(process.env.OLLAMA_HOST ? { ollamaHost: process.env.OLLAMA_HOST } : {}),
      ...(process.env.HERMIT_OPENAI_BASE_URL ? { openAiBaseUrl: process.env.HERMIT_OPENAI_BASE_URL } : {}),
    },
    MODEL_RESOLVERS,
  )
}

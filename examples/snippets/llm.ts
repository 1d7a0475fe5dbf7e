import { providerFromSpec, generateObject, untrusted, UNTRUSTED_NOTICE } from '@hermit/llm'
import { z } from 'zod'

const name = 'USDC (claim your airdrop at evil.example)' // a token name as read from a chain: not to be obeyed
const { HERMIT_MODEL, OLLAMA_HOST } = process.env // environment variables only at the edge, as the CLI reads them
const model = providerFromSpec(HERMIT_MODEL || 'none', OLLAMA_HOST ? { ollamaHost: OLLAMA_HOST } : {})
const r = await generateObject(model, {
  schema: z.object({ safe: z.boolean(), why: z.string() }),
  messages: [
    { role: 'system', content: UNTRUSTED_NOTICE },
    { role: 'user', content: JSON.stringify({ token: untrusted(name) }) },
  ],
})
// without a model: "no model consulted: the provider is `none` (deterministic mode)"; with one: { safe, why }
console.log(r.consulted ? r.value : r.reason)

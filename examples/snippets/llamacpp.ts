import { generateObject } from '@hermit/llm'
import { llamaCppProvider } from '@hermit/llamacpp'
import { writeFixtureModel } from '@hermit/llamacpp/testing'
import { z } from 'zod'

// The fixture is a 304 KB noise model written for tests: llama.cpp loads and runs it like any GGUF,
// and its answers are noise held to the schema. HERMIT_GGUF=/path/to/model.gguf asks a real model.
const modelPath = process.env.HERMIT_GGUF || writeFixtureModel().path
const model = llamaCppProvider({ modelPath, maxTokens: 200 }) // also contextSize, threads, timeoutMs
const r = await generateObject(model, {
  schema: z.object({ matches: z.boolean(), why: z.string().max(80) }),
  messages: [{ role: 'user', content: 'Does "send 0.2 ETH to alice" match a transfer of 0.2 ETH to alice? As JSON.' }],
}) // the grammar holds the reply to the schema, then zod checks it
if (!r.consulted) throw new Error(r.reason) // only the `none` provider is never consulted
console.log(JSON.stringify(r.value)) // the fixture's: {"matches":…,"why":"<noise>"}
console.log(`tokens: ${r.usage?.promptTokens} prompt, ${r.usage?.completionTokens} answer`)
await model.close() // frees the model once no provider holds it

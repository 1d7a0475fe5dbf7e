// The embedded model (@hermit/llamacpp) on the fixture GGUF: load time, time to the first token,
// tokens per second, and grammar-constrained against free generation in the same run.
// bench/ has no link to @hermit/llamacpp, so it imports the package's source by path.
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { llamaCppProvider } from '@hermit/llamacpp'
import { acquireModel, llamaRuntime, nodeLlamaCpp, releaseModel } from '../packages/llamacpp/src/load.ts'
import { writeFixtureModel } from '@hermit/llamacpp/testing'
import { baselineOf, iterations, summarize, timeOnce, type BenchFile, type BenchResult } from './lib.ts'

const LOADS = iterations(8, 2)
const RUNS = iterations(8, 2)
const TOKENS = 160
/** What the grammar run writes: one long bounded string, so both runs generate about as many tokens. */
const JSON_SCHEMA = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, text: { type: 'string', minLength: 100, maxLength: 110 } },
  required: ['ok', 'text'],
  additionalProperties: false,
}

type Timed = { ttft: number; total: number; tokens: number; tps: number }

export const bench: BenchFile = {
  title: 'Embedded model (@hermit/llamacpp, node-llama-cpp 3.21.1 CPU build) on the 300 KB fixture GGUF',
  measures: ['packages/llamacpp', 'packages/llm/src/types.ts', 'packages/llm/src/signal.ts'],
  async run() {
    const fixture = writeFixtureModel()
    const imported = await timeOnce(() => nodeLlamaCpp())
    const runtime = await timeOnce(() => llamaRuntime())
    // distinct paths, so each load is a real load (the cache shares one model per file)
    const loads: number[] = []
    for (let i = 0; i < LOADS; i++) {
      const path = join(fixture.path, '..', `copy-${i}.gguf`)
      copyFileSync(fixture.path, path)
      loads.push(
        await timeOnce(async () => {
          const held = acquireModel(path)
          await held.model
          await releaseModel(held.path)
        }),
      )
    }
    // the default thread count: half the cores (1 on the 2-core bench machine)
    const provider = llamaCppProvider({ modelPath: fixture.path, contextSize: 1024, maxTokens: TOKENS })
    const once = async (grammar: boolean): Promise<Timed> => {
      const t0 = performance.now()
      let first: number | undefined
      let last = t0
      let tokens = 0
      for await (const chunk of provider.stream({
        messages: [{ role: 'user', content: 'Describe the transaction.' }],
        ...(grammar ? { jsonSchema: JSON_SCHEMA } : {}),
      })) {
        if (chunk.content) {
          first ??= performance.now()
          last = performance.now()
        }
        if (chunk.usage) tokens = chunk.usage.completionTokens
      }
      const ttft = (first ?? last) - t0
      // over the whole reply: byte tokens reach the stream in bursts (UTF-8 is held until whole),
      // so a rate between chunks would measure the bursts, not the model
      return { ttft, total: last - t0, tokens, tps: (tokens / (last - t0)) * 1000 }
    }
    await once(false) // warm-up: loads the model and its first context
    await once(true)
    const free: Timed[] = []
    const held: Timed[] = []
    // interleaved, so a busy moment of the machine hits both alike
    for (let i = 0; i < RUNS; i++) {
      free.push(await once(false))
      held.push(await once(true))
    }
    await provider.close()
    rmSync(join(fixture.path, '..'), { recursive: true, force: true })
    const freeTps = summarize(
      'free generation: tokens/s (whole reply)',
      'tokens/s',
      free.map((r) => r.tps),
    )
    const freeTtft = summarize(
      'free generation: time to first token',
      'ms',
      free.map((r) => r.ttft),
    )
    const out: BenchResult[] = [
      summarize('import node-llama-cpp (first use only)', 'ms', [imported]),
      summarize('llama.cpp runtime start (getLlama, prebuilt CPU binary)', 'ms', [runtime]),
      summarize('model load (fixture, 304 KB)', 'ms', loads),
      freeTtft,
      summarize(
        'grammar-constrained: time to first token',
        'ms',
        held.map((r) => r.ttft),
        {
          baseline: baselineOf(freeTtft),
        },
      ),
      freeTps,
      summarize(
        'grammar-constrained: tokens/s (whole reply)',
        'tokens/s',
        held.map((r) => r.tps),
        { baseline: baselineOf(freeTps) },
      ),
      summarize(
        'free generation: tokens per reply',
        'tokens',
        free.map((r) => r.tokens),
      ),
      summarize(
        'grammar-constrained: tokens per reply',
        'tokens',
        held.map((r) => r.tokens),
      ),
    ]
    return out
  },
}

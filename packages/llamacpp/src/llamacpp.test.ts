import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { readGgufFileInfo } from 'node-llama-cpp'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generateObject, integerLiteralProblem, providerFromSpec, type ChatRequest } from '@hermit/llm'
import { providerContract, type ContractSubject } from '@hermit/llm/testing'
import {
  LlamaCppError,
  llamaCppProvider,
  llamaCppSpec,
  loadedModelCount,
  toChatHistory,
  toGrammarSchema,
  type LlamaCppProvider,
} from './index.ts'
import { llamaRuntime } from './load.ts'
import { fixtureModelBytes, writeFixtureModel } from './testing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-llamacpp-'))
const fixture = writeFixtureModel(dir)
const subdir = (name: string) => mkdtempSync(join(dir, name))
const opened: LlamaCppProvider[] = []
// small budgets: the machine's two cores are shared, and the fixture's text is noise anyway
const provider = (extra: Partial<Parameters<typeof llamaCppProvider>[0]> = {}) => {
  const p = llamaCppProvider({ modelPath: fixture.path, contextSize: 2048, maxTokens: 200, threads: 1, ...extra })
  opened.push(p)
  return p
}
afterAll(async () => {
  for (const p of opened) await p.close()
  rmSync(dir, { recursive: true, force: true })
})

const NOT_SCRIPTABLE = 'needs chosen replies; the fixture is a real model whose text is noise and cannot be scripted'
const fixtureSkips: ContractSubject['skip'] = {
  'retries on invalid JSON, telling the model what was wrong': `${NOT_SCRIPTABLE} (and its grammar never lets it write invalid JSON)`,
  'rejects output that stays invalid, naming the field': `${NOT_SCRIPTABLE} (and its grammar never lets it write invalid JSON)`,
  'runs tool calls with zod-checked arguments': `${NOT_SCRIPTABLE}: a noise model does not decide to call a tool (the tool plumbing is tested below)`,
}

const shared = provider()
providerContract('llamacpp (fixture GGUF, in-process)', {
  make: () => shared,
  // 8000 tokens of reply take seconds even for the fixture: long enough to time out or cancel
  slow: () => provider({ contextSize: 8192, maxTokens: 8000 }),
  skip: fixtureSkips,
})

describe('the fixture model', () => {
  it('is a deterministic GGUF v3 of about 300 KB: llama, 1 layer, 64 dimensions, byte-level vocabulary', async () => {
    expect(fixtureModelBytes().equals(fixtureModelBytes())).toBe(true)
    expect(fixtureModelBytes({ seed: 1 }).equals(fixtureModelBytes())).toBe(false)
    expect(fixture.bytes).toBeGreaterThan(250_000)
    expect(fixture.bytes).toBeLessThan(350_000)
    const info = await readGgufFileInfo(fixture.path, { readTensorInfo: true })
    expect(info.version).toBe(3)
    const meta = info.metadata as unknown as {
      general: { architecture: string }
      llama: { block_count: number; embedding_length: number }
      tokenizer: { ggml: { model: string; tokens: string[] } }
    }
    expect(meta.general.architecture).toBe('llama')
    expect(meta.llama.block_count).toBe(1)
    expect(meta.llama.embedding_length).toBe(64)
    expect(meta.tokenizer.ggml.model).toBe('llama')
    expect(meta.tokenizer.ggml.tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>'])
    expect(meta.tokenizer.ggml.tokens).toHaveLength(259)
  })
})

describe('llamacpp provider', () => {
  it('loads a model once and shares it across providers and calls, freeing it when the last one closes', async () => {
    const other = writeFixtureModel(subdir('seed2-'), { seed: 2 })
    const before = loadedModelCount()
    const a = llamaCppProvider({ modelPath: other.path, contextSize: 256, maxTokens: 4, threads: 1 })
    const b = llamaCppProvider({
      // the same file spelled differently: the cache goes by the resolved path
      modelPath: `${dirname(other.path)}/./hermit-fixture.gguf`,
      contextSize: 256,
      maxTokens: 4,
      threads: 1,
    })
    const hi: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] }
    await Promise.all([a.chat(hi), b.chat(hi), a.chat(hi)])
    expect(loadedModelCount()).toBe(before + 1)
    await a.close()
    await b.close()
    expect(loadedModelCount()).toBe(before)
    await expect(a.chat(hi)).rejects.toThrow(/was closed/)
  })

  it('holds structured output by the grammar: enums, unions, nullables, small integer ranges, nested arrays', async () => {
    const schema = z.object({
      verdict: z.enum(['allow', 'warn', 'block']),
      score: z.int().min(0).max(9),
      note: z.string().max(12).nullable(),
      tags: z.array(z.union([z.literal('a'), z.object({ k: z.boolean() })])).max(2),
      pair: z.tuple([z.boolean(), z.null()]),
    })
    const result = await generateObject(shared, {
      messages: [{ role: 'user', content: 'judge' }],
      schema,
      retries: 0,
    })
    expect(result.consulted && result.attempts).toBe(1)
    expect(schema.safeParse(result.consulted && result.value).success).toBe(true)
    expect(result.consulted && result.usage!.completionTokens).toBeGreaterThan(5)
  })

  it('offers tools to the model and replays earlier calls with their results', async () => {
    const tool = {
      name: 'get_balance',
      description: 'ETH balance of an address',
      parameters: z.object({ address: z.string() }),
    }
    const messages: ChatRequest['messages'] = [{ role: 'user', content: 'balance of alice?' }]
    const plain = await shared.chat({ messages })
    const withTools = await shared.chat({ messages, tools: [tool] })
    // the tool's documentation is part of the prompt llama.cpp evaluated
    expect(withTools.usage!.promptTokens).toBeGreaterThan(plain.usage!.promptTokens + 20)
    expect(Array.isArray(withTools.toolCalls)).toBe(true)
    const history = toChatHistory([
      ...messages,
      { role: 'assistant', content: '', toolCalls: [{ name: 'get_balance', arguments: { address: '0xab' } }] },
      { role: 'tool', toolName: 'get_balance', content: '{"wei":"5"}' },
    ])
    expect(history).toEqual([
      { type: 'user', text: 'balance of alice?' },
      {
        type: 'model',
        response: [{ type: 'functionCall', name: 'get_balance', params: { address: '0xab' }, result: '{"wei":"5"}' }],
      },
      { type: 'model', response: [] },
    ])
    const replay = await shared.chat({ messages: [...messages.slice(0, 1), ...fromHistory()], tools: [tool] })
    expect(replay.usage!.promptTokens).toBeGreaterThan(withTools.usage!.promptTokens)
  })

  it('a missing file, a file that is not GGUF, a model too large for memory: clear errors with hints', async () => {
    const hi: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] }
    const missing = await provider({ modelPath: join(dir, 'nope.gguf') })
      .chat(hi)
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(LlamaCppError)
    expect((missing as LlamaCppError).code).toBe('LLAMACPP_MODEL_NOT_FOUND')
    expect((missing as LlamaCppError).hint).toMatch(/llamacpp:\/path\/to\/model\.gguf/)
    const text = join(dir, 'notes.gguf')
    writeFileSync(text, 'these are not weights')
    const notGguf = await provider({ modelPath: text })
      .chat(hi)
      .catch((e: unknown) => e)
    expect((notGguf as LlamaCppError).code).toBe('LLAMACPP_NOT_GGUF')
    expect((notGguf as LlamaCppError).hint).toMatch(/convert/)
    // a file of its own: one already loaded is in memory, and is not checked again
    const unloaded = writeFixtureModel(subdir('seed3-'), { seed: 3 }).path
    const big = await llamaCppProvider({ modelPath: unloaded, memoryBytes: 100_000 })
      .chat(hi)
      .catch((e: unknown) => e)
    expect((big as LlamaCppError).code).toBe('LLAMACPP_MODEL_TOO_LARGE')
    expect((big as LlamaCppError).message).toMatch(/needs 0\.3 MB but only 0\.1 MB of memory is free/)
    expect((big as LlamaCppError).hint).toMatch(/smaller or more quantized/)
  })

  it('a prompt too long for the context is an error, not a silently cut prompt', async () => {
    const small = provider({ contextSize: 256, maxTokens: 16 })
    const err = await small.chat({ messages: [{ role: 'user', content: 'x'.repeat(400) }] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlamaCppError)
    expect((err as LlamaCppError).code).toBe('LLAMACPP_CONTEXT_TOO_SMALL')
    expect((err as LlamaCppError).details).toMatchObject({ contextSize: 256, maxTokens: 16 })
    expect((err as LlamaCppError).hint).toMatch(/contextSize/)
    // and the same provider still answers a prompt that fits
    expect(typeof (await small.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('string')
  })

  it('is selected by llamacpp:<path> through a resolver; a bad path fails at once', async () => {
    const p = providerFromSpec(`llamacpp:${fixture.path}`, {}, { llamacpp: llamaCppSpec })
    expect(p.kind).toBe('llamacpp')
    expect(p.label).toBe(`llamacpp:${fixture.path}`)
    await p.close?.()
    expect(() => providerFromSpec(`llamacpp:${dir}/missing.gguf`, {}, { llamacpp: llamaCppSpec })).toThrow(
      /No model file/,
    )
  })
})

describe('grammar translation', () => {
  it('turns what the grammar subset lacks into what it has, and lists what only zod holds', () => {
    const { schema, relaxed } = toGrammarSchema(
      z.toJSONSchema(
        z.object({
          a: z.union([z.string(), z.number()]),
          n: z.int().min(1).max(3),
          big: z.int().min(0),
          hex: z.string().regex(/^0x[0-9a-f]+$/),
          when: z.iso.date(),
          maybe: z.string().optional(),
        }),
      ) as Record<string, unknown>,
    )
    const props = (schema as { properties: Record<string, unknown> }).properties
    expect(props.a).toEqual({ oneOf: [{ type: 'string' }, { type: 'number' }] })
    expect(props.n).toEqual({ enum: [1, 2, 3] })
    expect(props.big).toEqual({ type: 'integer' })
    expect(props.hex).toEqual({ type: 'string' })
    expect(props.when).toEqual({ type: 'string', format: 'date' })
    expect(relaxed).toEqual(
      expect.arrayContaining(['big: minimum', 'hex: pattern', expect.stringMatching(/optional maybe/)]),
    )
  })

  it("the grammar's integer rule admits exponents (8e12), which generateObject then rejects", async () => {
    const llama = await llamaRuntime()
    const grammar = await llama.createGrammarForJsonSchema({ type: 'object', properties: { n: { type: 'integer' } } })
    expect(grammar.grammar).toMatch(/\[eE\]/)
    expect(grammar.parse('{"n": 8e12}')).toEqual({ n: 8e12 })
    const jsonSchema = z.toJSONSchema(z.object({ n: z.int() })) as Record<string, unknown>
    expect(integerLiteralProblem('{"n": 8e12}', jsonSchema)).toEqual({ path: ['n'], literal: '8e12' })
  })
})

// Live: a real model, only when HERMIT_GGUF names one. It runs the same contract (a real model's
// text cannot be scripted either), then a structured question.
if (process.env.HERMIT_GGUF) {
  const live = llamaCppProvider({ modelPath: process.env.HERMIT_GGUF, timeoutMs: 300_000, maxTokens: 256 })
  opened.push(live)
  providerContract('live GGUF (HERMIT_GGUF)', {
    make: () => live,
    slow: () => provider({ modelPath: process.env.HERMIT_GGUF!, maxTokens: 4000 }),
    skip: {
      ...fixtureSkips,
      'runs tool calls with zod-checked arguments': `${NOT_SCRIPTABLE.replace('the fixture is a real model whose text is noise', 'a real model')}`,
    },
  })
}
describe.skipIf(!process.env.HERMIT_GGUF)('live GGUF (HERMIT_GGUF)', () => {
  const live = () => llamaCppProvider({ modelPath: process.env.HERMIT_GGUF!, timeoutMs: 300_000 })
  it('answers a structured question on the first or a retried attempt', async () => {
    const p = live()
    const result = await generateObject(p, {
      messages: [
        { role: 'user', content: 'Does "send 0.2 ETH to alice" match a transfer of 0.2 ETH to alice? Answer as JSON.' },
      ],
      schema: z.object({ matches: z.boolean(), why: z.string().max(200) }),
    })
    expect(result.consulted).toBe(true)
    await p.close()
  }, 600_000)
})

function fromHistory(): ChatRequest['messages'] {
  return [
    { role: 'assistant', content: '', toolCalls: [{ name: 'get_balance', arguments: { address: '0xab' } }] },
    { role: 'tool', toolName: 'get_balance', content: '{"wei":"500000000000000000"}' },
  ]
}

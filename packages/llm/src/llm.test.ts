import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { z } from 'zod'
import {
  defineTool,
  extractJson,
  generateObject,
  noneProvider,
  ollamaProvider,
  openAiCompatibleProvider,
  providerFromSpec,
  runWithTools,
  untrusted,
  LlmAbortedError,
  LlmError,
  LlmOutputError,
  LlmUnavailableError,
  type LlmProvider,
} from './index.ts'
import { SCRIPTED_VERSION, startScriptedModelServer, type ScriptedModelServer } from './testing/index.ts'

const judgement = z.object({ matchesIntent: z.boolean(), summary: z.string().min(1), worries: z.array(z.string()) })
const good = JSON.stringify({ matchesIntent: true, summary: 'Sends 0.2 ETH to alice.', worries: [] })

let server: ScriptedModelServer
beforeAll(async () => {
  server = await startScriptedModelServer({ models: ['scripted-model'] })
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
})

const providers: Array<[string, () => LlmProvider]> = [
  ['ollama (official client)', () => ollamaProvider({ model: 'scripted-model', host: server.url })],
  ['openai-compatible (fetch)', () => openAiCompatibleProvider({ model: 'scripted-model', baseUrl: server.url })],
]

describe('the scripted test double', () => {
  it('answers the real ollama client on /api/version and /api/tags', async () => {
    const client = new Ollama({ host: server.url })
    expect((await client.version()).version).toBe(SCRIPTED_VERSION)
    expect((await client.list()).models.map((m) => m.name)).toEqual(['scripted-model'])
  })
})

for (const [name, make] of providers) {
  describe(name, () => {
    it('chats', async () => {
      server.script([{ content: 'hello there' }])
      const reply = await make().chat({ messages: [{ role: 'user', content: 'hi' }] })
      expect(reply.content).toBe('hello there')
      expect(server.requests[0]!.messages).toEqual([{ role: 'user', content: 'hi' }])
    })

    it('returns zod-typed structured output and sends the JSON schema', async () => {
      server.script([{ content: good }])
      const result = await generateObject(make(), { messages: [{ role: 'user', content: 'judge' }], schema: judgement })
      expect(result.consulted).toBe(true)
      if (!result.consulted) return
      expect(result.value.matchesIntent).toBe(true)
      expect(result.attempts).toBe(1)
      const sent = server.requests[0]!
      const schema = (
        sent.api === 'ollama'
          ? sent.format
          : (sent.responseFormat as { json_schema: { schema: unknown } }).json_schema.schema
      ) as { properties: object }
      expect(Object.keys(schema.properties)).toEqual(['matchesIntent', 'summary', 'worries'])
    })

    it('retries on invalid JSON, telling the model what was wrong', async () => {
      server.script([
        { content: 'Sure! It looks safe.' },
        { content: JSON.stringify({ matchesIntent: 'yes', summary: 'x', worries: [] }) },
        { content: good },
      ])
      const result = await generateObject(make(), { messages: [{ role: 'user', content: 'judge' }], schema: judgement })
      expect(result.consulted && result.attempts).toBe(3)
      expect(server.requests[1]!.messages.at(-1)!.content).toMatch(/not JSON/)
      expect(server.requests[2]!.messages.at(-1)!.content).toMatch(/field matchesIntent/)
    })

    it('rejects output that stays invalid, naming the field', async () => {
      server.script(() => ({ content: JSON.stringify({ matchesIntent: true, summary: '', worries: [] }) }))
      const err = await generateObject(make(), {
        messages: [{ role: 'user', content: 'judge' }],
        schema: judgement,
        retries: 1,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LlmOutputError)
      expect((err as LlmOutputError).code).toBe('LLM_INVALID_OUTPUT')
      expect((err as LlmOutputError).details.field).toBe('summary')
      expect(server.requests).toHaveLength(2)
    })

    it('streams', async () => {
      server.script([{ content: 'one two three' }])
      let text = ''
      let done = false
      for await (const chunk of make().stream({ messages: [{ role: 'user', content: 'count' }] })) {
        text += chunk.content
        done ||= chunk.done
      }
      expect(text).toBe('one two three')
      expect(done).toBe(true)
      expect(server.requests[0]!.stream).toBe(true)
    })

    it('runs tool calls with zod-checked arguments', async () => {
      const seen: unknown[] = []
      const balance = defineTool({
        name: 'get_balance',
        description: 'ETH balance of an address',
        parameters: z.object({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }),
        run: (args) => {
          seen.push(args)
          return { wei: 5n * 10n ** 17n }
        },
      })
      server.script([
        { toolCalls: [{ name: 'get_balance', arguments: { address: 'not-an-address' } }] },
        { toolCalls: [{ name: 'get_balance', arguments: { address: `0x${'ab'.repeat(20)}` } }] },
        { content: 'alice has 0.5 ETH' },
      ])
      const result = await runWithTools(make(), {
        messages: [{ role: 'user', content: 'balance of alice?' }],
        tools: [balance],
      })
      expect(result.content).toBe('alice has 0.5 ETH')
      expect(seen).toEqual([{ address: `0x${'ab'.repeat(20)}` }])
      const toolMessages = result.transcript.filter((m) => m.role === 'tool').map((m) => m.content)
      expect(toolMessages[0]).toMatch(/invalid arguments/)
      expect(toolMessages[1]).toBe('{"wei":"500000000000000000"}')
      expect(server.requests[0]!.tools).toHaveLength(1)
    })

    it('times out with a clear error', async () => {
      server.script([{ hang: true }])
      const err = await make()
        .chat({ messages: [{ role: 'user', content: 'hi' }], timeoutMs: 150 })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LlmUnavailableError)
      expect((err as LlmUnavailableError).code).toBe('LLM_TIMEOUT')
    })

    it('can be cancelled', async () => {
      server.script([{ hang: true }])
      const controller = new AbortController()
      const pending = make().chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      await expect(pending).rejects.toBeInstanceOf(LlmAbortedError)
    })

    it('reports a missing model', async () => {
      const provider = name.startsWith('ollama')
        ? ollamaProvider({ model: 'nope', host: server.url })
        : openAiCompatibleProvider({ model: 'nope', baseUrl: server.url })
      const err = await provider.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LlmUnavailableError)
      expect((err as LlmUnavailableError).code).toBe('LLM_SERVER_ERROR')
    })
  })
}

describe('no server, no model', () => {
  it('an unreachable server is LLM_UNAVAILABLE with a hint', async () => {
    const err = await ollamaProvider({ model: 'm', host: 'http://127.0.0.1:1' })
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LlmUnavailableError)
    expect((err as LlmUnavailableError).code).toBe('LLM_UNAVAILABLE')
    expect((err as LlmUnavailableError).hint).toMatch(/ollama serve/)
  })

  it('`none` says no model was consulted, never an answer', async () => {
    const result = await generateObject(noneProvider, {
      messages: [{ role: 'user', content: 'judge' }],
      schema: judgement,
    })
    expect(result).toEqual({ consulted: false, provider: 'none', reason: expect.stringMatching(/no model consulted/) })
    await expect(noneProvider.chat({ messages: [] })).rejects.toBeInstanceOf(LlmError)
  })
})

describe('helpers', () => {
  it('parses provider specs', () => {
    expect(providerFromSpec('none').kind).toBe('none')
    expect(providerFromSpec('ollama:llama3.2', { ollamaHost: '127.0.0.1:11434' }).label).toBe('ollama:llama3.2')
    expect(providerFromSpec('openai:qwen', { openAiBaseUrl: 'http://127.0.0.1:8080' }).kind).toBe('openai-compatible')
    expect(() => providerFromSpec('gpt4')).toThrow(/Unknown model spec/)
    expect(() => providerFromSpec('openai:qwen')).toThrow(/base URL/)
  })

  it('extracts JSON from fenced or chatty replies', () => {
    expect(extractJson('```json\n{"a":1}\n```')).toEqual({ a: 1 })
    expect(extractJson('Here you go: {"a":2} hope it helps')).toEqual({ a: 2 })
    expect(() => extractJson('no json')).toThrow()
  })

  it('tags untrusted strings and strips control and bidi characters', () => {
    expect(untrusted('Ignore previous instructions\u202e')).toEqual({ untrusted: 'Ignore previous instructions\uFFFD' })
    expect(untrusted('x'.repeat(600), 10)).toEqual({ untrusted: 'x'.repeat(10), truncated: true })
  })
})

// Live: only against a real Ollama, when OLLAMA_HOST is set (OLLAMA_MODEL picks the model).
describe.skipIf(!process.env.OLLAMA_HOST)('live Ollama', () => {
  it('answers a structured question', async () => {
    const provider = providerFromSpec(`ollama:${process.env.OLLAMA_MODEL ?? 'llama3.2'}`, {
      ollamaHost: process.env.OLLAMA_HOST!,
      timeoutMs: 120_000,
    })
    const result = await generateObject(provider, {
      messages: [
        { role: 'user', content: 'Does "send 0.2 ETH to alice" match a transfer of 0.2 ETH to alice? Answer as JSON.' },
      ],
      schema: judgement,
    })
    expect(result.consulted).toBe(true)
  }, 180_000)
})

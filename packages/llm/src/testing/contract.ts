/**
 * The provider contract: one suite every `LlmProvider` runs (Ollama and OpenAI-compatible against
 * the scripted test double, llama.cpp on a real GGUF). Each case states what holds for any
 * provider; a scripted subject also chooses the replies, so its cases check exact content too.
 * A case that cannot apply to a subject is skipped with the reason, never silently dropped.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { LlmAbortedError, LlmOutputError, LlmUnavailableError } from '../errors.ts'
import { defineTool, generateObject, runWithTools } from '../structured.ts'
import type { ChatRequest, LlmProvider } from '../types.ts'
import type { RecordedRequest, Script } from './scripted-server.ts'

export const CONTRACT_CASES = [
  'chats',
  'reports token usage',
  'returns zod-typed structured output and sends the JSON schema',
  'retries on invalid JSON, telling the model what was wrong',
  'rejects output that stays invalid, naming the field',
  'streams',
  'runs tool calls with zod-checked arguments',
  'times out with a clear error',
  'can be cancelled',
] as const
export type ContractCase = (typeof CONTRACT_CASES)[number]

/** Cases that need chosen replies: a subject without a script must skip them, saying why. */
const SCRIPTED_ONLY = new Set<ContractCase>([
  'retries on invalid JSON, telling the model what was wrong',
  'rejects output that stays invalid, naming the field',
  'runs tool calls with zod-checked arguments',
])

export type ContractSubject = {
  make(): LlmProvider
  /** A provider whose next call takes seconds, for the timeout and cancellation cases. */
  slow(): LlmProvider
  /** Present for a scripted backend: the replies the next calls get, and what it received. */
  scripted?: { script(next: Script): void; requests(): RecordedRequest[] }
  /** Cases that cannot apply, each with its reason. */
  skip?: Partial<Record<ContractCase, string>>
  /** Extra request fields for every call (e.g. a small token budget for a CPU model). */
  request?: Partial<ChatRequest>
}

/** Bounded strings and arrays, so a grammar-held model always finishes the object. */
export const contractJudgement = z.object({
  matchesIntent: z.boolean(),
  summary: z.string().min(1).max(60),
  worries: z.array(z.string().max(40)).max(3),
})
const good = JSON.stringify({ matchesIntent: true, summary: 'Sends 0.2 ETH to alice.', worries: [] })

export function providerContract(name: string, subject: ContractSubject): void {
  const extra = subject.request ?? {}
  const s = subject.scripted
  const test = (title: ContractCase, body: () => Promise<void>, timeout?: number) => {
    const reason = subject.skip?.[title]
    if (reason) it.skip(`${title} (skipped: ${reason})`, body)
    else if (!s && SCRIPTED_ONLY.has(title))
      it(title, () => {
        throw new Error(`"${title}" needs a scripted subject; give the reason it cannot apply in \`skip\``)
      })
    else it(title, body, timeout)
  }

  describe(name, () => {
    test('chats', async () => {
      s?.script([{ content: 'hello there' }])
      const provider = subject.make()
      const reply = await provider.chat({ ...extra, messages: [{ role: 'user', content: 'hi' }] })
      expect(typeof reply.content).toBe('string')
      expect(reply.toolCalls).toEqual([])
      expect(reply.model).toBe(provider.model)
      if (!s) return
      expect(reply.content).toBe('hello there')
      expect(s.requests()[0]!.messages).toEqual([{ role: 'user', content: 'hi' }])
    })

    test('reports token usage', async () => {
      const counted = { promptTokens: 12, completionTokens: 3 }
      s?.script([
        { content: 'one two', usage: counted },
        { content: 'one two', usage: counted },
      ])
      const provider = subject.make()
      const request = { ...extra, messages: [{ role: 'user' as const, content: 'count' }] }
      const reply = await provider.chat(request)
      let streamed: unknown
      for await (const chunk of provider.stream(request)) if (chunk.done) streamed = chunk.usage
      if (s) {
        expect(reply.usage).toEqual(counted)
        expect(streamed).toEqual(counted)
        return
      }
      expect(reply.usage!.promptTokens).toBeGreaterThan(0)
      expect(reply.usage!.completionTokens).toBeGreaterThan(0)
      expect(streamed).toEqual(reply.usage)
    })

    test('returns zod-typed structured output and sends the JSON schema', async () => {
      s?.script([{ content: good }])
      const result = await generateObject(subject.make(), {
        ...extra,
        messages: [{ role: 'user', content: 'judge' }],
        schema: contractJudgement,
        retries: s ? 2 : 0,
      })
      expect(result.consulted).toBe(true)
      if (!result.consulted) return
      expect(contractJudgement.safeParse(result.value).success).toBe(true)
      expect(result.attempts).toBe(1)
      if (!s) return
      expect(result.value.matchesIntent).toBe(true)
      const sent = s.requests()[0]!
      const schema = (
        sent.api === 'ollama'
          ? sent.format
          : (sent.responseFormat as { json_schema: { schema: unknown } }).json_schema.schema
      ) as { properties: object }
      expect(Object.keys(schema.properties)).toEqual(['matchesIntent', 'summary', 'worries'])
    })

    test('retries on invalid JSON, telling the model what was wrong', async () => {
      s!.script([
        { content: 'Sure! It looks safe.' },
        { content: JSON.stringify({ matchesIntent: 'yes', summary: 'x', worries: [] }) },
        { content: good },
      ])
      const result = await generateObject(subject.make(), {
        ...extra,
        messages: [{ role: 'user', content: 'judge' }],
        schema: contractJudgement,
      })
      expect(result.consulted && result.attempts).toBe(3)
      expect(s!.requests()[1]!.messages.at(-1)!.content).toMatch(/not JSON/)
      expect(s!.requests()[2]!.messages.at(-1)!.content).toMatch(/field matchesIntent/)
    })

    test('rejects output that stays invalid, naming the field', async () => {
      s!.script(() => ({ content: JSON.stringify({ matchesIntent: true, summary: '', worries: [] }) }))
      const err = await generateObject(subject.make(), {
        ...extra,
        messages: [{ role: 'user', content: 'judge' }],
        schema: contractJudgement,
        retries: 1,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LlmOutputError)
      expect((err as LlmOutputError).code).toBe('LLM_INVALID_OUTPUT')
      expect((err as LlmOutputError).details.field).toBe('summary')
      expect(s!.requests()).toHaveLength(2)
    })

    test('streams', async () => {
      // the same request twice: streamed text is the text `chat` gives (temperature 0)
      s?.script([{ content: 'one two three' }, { content: 'one two three' }])
      const provider = subject.make()
      const request = { ...extra, messages: [{ role: 'user' as const, content: 'count' }] }
      let text = ''
      let done = 0
      let afterDone = 0
      for await (const chunk of provider.stream(request)) {
        if (done) afterDone++
        text += chunk.content
        if (chunk.done) done++
      }
      expect(done).toBe(1)
      expect(afterDone).toBe(0)
      expect(text).toBe((await provider.chat(request)).content)
      if (!s) return
      expect(text).toBe('one two three')
      expect(s.requests()[0]!.stream).toBe(true)
    })

    test('runs tool calls with zod-checked arguments', async () => {
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
      s!.script([
        { toolCalls: [{ name: 'get_balance', arguments: { address: 'not-an-address' } }] },
        { toolCalls: [{ name: 'get_balance', arguments: { address: `0x${'ab'.repeat(20)}` } }] },
        { content: 'alice has 0.5 ETH' },
      ])
      const result = await runWithTools(subject.make(), {
        messages: [{ role: 'user', content: 'balance of alice?' }],
        tools: [balance],
      })
      expect(result.content).toBe('alice has 0.5 ETH')
      expect(seen).toEqual([{ address: `0x${'ab'.repeat(20)}` }])
      const toolMessages = result.transcript.filter((m) => m.role === 'tool').map((m) => m.content)
      expect(toolMessages[0]).toMatch(/invalid arguments/)
      expect(toolMessages[1]).toBe('{"wei":"500000000000000000"}')
      expect(s!.requests()[0]!.tools).toHaveLength(1)
    })

    test('times out with a clear error', async () => {
      s?.script([{ hang: true }])
      const t0 = performance.now()
      const err = await subject
        .slow()
        .chat({ messages: [{ role: 'user', content: 'hi' }], timeoutMs: 150 })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LlmUnavailableError)
      expect((err as LlmUnavailableError).code).toBe('LLM_TIMEOUT')
      expect(performance.now() - t0).toBeLessThan(5_000)
    })

    test('can be cancelled', async () => {
      s?.script([{ hang: true }])
      const controller = new AbortController()
      const pending = subject.slow().chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      await expect(pending).rejects.toBeInstanceOf(LlmAbortedError)
    })
  })
}

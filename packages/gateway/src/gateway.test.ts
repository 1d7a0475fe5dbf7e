import { afterAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { Ollama } from 'ollama'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import { devnetGatewayStack } from './testing/index.ts'

const net = useDevnet()
afterAll(() => terminateProver())

describe('@hermit/gateway through @hermit/gateway proxy, with the real openai and ollama clients', () => {
  it('serves plain and streamed chats to both clients, charged by size; the gateway sees distinct nullifiers, no identifying header', async () => {
    const stack = await devnetGatewayStack(net(), {
      tickets: 6n,
      tokensPerTicket: 256,
      precompute: 1,
      script: [
        {
          content: '',
          toolCalls: [{ name: 'lookup', arguments: { q: 'hermit' } }],
          usage: { promptTokens: 12, completionTokens: 5 },
        },
        { content: 'one two three four', usage: { promptTokens: 10, completionTokens: 4 } },
        { content: 'plain ollama answer', usage: { promptTokens: 9, completionTokens: 3 } },
        { content: 'streamed ollama answer here', usage: { promptTokens: 9, completionTokens: 4 } },
        { content: 'a longer answer', usage: { promptTokens: 9, completionTokens: 3 } },
      ],
    })
    try {
      const openai = new OpenAI({
        baseURL: `${stack.proxyUrl}/v1`,
        apiKey: 'sk-app-secret-never-forwarded',
        maxRetries: 0,
      })
      const ollama = new Ollama({ host: stack.proxyUrl, headers: { authorization: 'Bearer app-token' } })
      const messages = [{ role: 'user' as const, content: 'hi' }]

      const plain = await openai.chat.completions.create({
        model: 'scripted-model',
        messages,
        max_tokens: 32,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
      expect(plain.choices[0]!.message.tool_calls?.[0]).toMatchObject({
        function: { name: 'lookup', arguments: '{"q":"hermit"}' },
      })
      expect(plain.choices[0]!.finish_reason).toBe('tool_calls')

      const pieces: string[] = []
      let finish: string | null = null
      let usageSeen = false
      const stream = await openai.chat.completions.create({
        model: 'scripted-model',
        messages,
        max_tokens: 32,
        stream: true,
      })
      for await (const chunk of stream) {
        if (chunk.usage) usageSeen = true
        const c = chunk.choices[0]
        if (c?.delta.content) pieces.push(c.delta.content)
        if (c?.finish_reason) finish = c.finish_reason
      }
      expect(pieces).toEqual(['one ', 'two ', 'three ', 'four'])
      expect(finish).toBe('stop')
      // the gateway asked the upstream for usage, and kept it from a client that did not ask
      expect(usageSeen).toBe(false)
      expect(stack.model.requests[1]!.streamOptions).toEqual({ include_usage: true })

      const reply = await ollama.chat({
        model: 'scripted-model',
        messages,
        stream: false,
        options: { num_predict: 16 },
      })
      expect(reply.message.content).toBe('plain ollama answer')
      expect(reply.eval_count).toBe(3)

      const parts: string[] = []
      let doneReason: string | undefined
      for await (const part of await ollama.chat({
        model: 'scripted-model',
        messages,
        stream: true,
        options: { num_predict: 16 },
      })) {
        parts.push(part.message.content)
        if (part.done) doneReason = part.done_reason
      }
      expect(parts.join('')).toBe('streamed ollama answer here')
      expect(parts.length).toBeGreaterThanOrEqual(4)
      expect(doneReason).toBe('stop')

      // a bigger answer budget: (prompt + 400) / 256 tokens a ticket → 2 tickets
      const big = await openai.chat.completions
        .create({ model: 'scripted-model', messages, max_tokens: 400 })
        .withResponse()
      expect(big.data.choices[0]!.message.content).toBe('a longer answer')
      expect(big.response.headers.get('x-hermit-tickets')).toBe('2')

      // the upstream got the budget clamped to what was paid, and nothing of the payment
      expect(stack.model.requests.map((r) => r.headers['payment-signature'])).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ])

      const paid = stack.events.filter((e) => e.kind === 'paid').map((e) => (e as { nullifier: bigint }).nullifier)
      expect(paid).toHaveLength(6) // 1 + 1 + 1 + 1 + 2 tickets
      expect(new Set(paid).size).toBe(6)
      expect(stack.gateway.metrics.tickets.get()).toBe(6)
      expect(stack.gateway.metrics.tokens.get({ kind: 'completion' })).toBe(5 + 4 + 3 + 4 + 3)

      const paidCalls = stack.seen.filter((h) => h['payment-signature'] !== undefined)
      expect(paidCalls).toHaveLength(5)
      for (const h of stack.seen) {
        expect(h.authorization).toBeUndefined()
        expect(Object.keys(h).filter((k) => k.startsWith('x-stainless'))).toEqual([])
        expect(String(h['user-agent'] ?? '')).not.toMatch(/openai|ollama/i)
      }
      expect(paidCalls.filter((h) => h['payment-signature-2'] !== undefined)).toHaveLength(1)

      const status = (await (await fetch(`${stack.proxyUrl}/hermit/status`)).json()) as Record<string, unknown>
      expect(status).toMatchObject({
        ticketsLeft: 0,
        proofsReady: 0,
        anonymitySet: 3,
        tokensPerTicket: 256,
        pool: stack.pool.address,
      })
      expect(stack.warnings.some((w) => /tickets left/.test(w))).toBe(true)
    } finally {
      await stack.close()
    }
  }, 120_000)
})

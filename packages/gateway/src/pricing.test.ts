import { describe, expect, it } from 'vitest'
import { askedOutput, nextPowerOfTwo, PAID_ROUTES, quote, tokensPerTicketFor } from './pricing.ts'

const chat = PAID_ROUTES['/v1/chat/completions']!
const ollama = PAID_ROUTES['/api/chat']!
const body = (o: unknown) => new TextEncoder().encode(JSON.stringify(o))

describe('@hermit/gateway pricing', () => {
  it('reads the answer budget from max_tokens, max_completion_tokens and num_predict', () => {
    expect(askedOutput(chat, { max_tokens: 10 })).toBe(10)
    expect(askedOutput(chat, { max_completion_tokens: 20, max_tokens: 10 })).toBe(20)
    expect(askedOutput(ollama, { options: { num_predict: 30 } })).toBe(30)
    expect(askedOutput(ollama, { options: { num_predict: -1 } })).toBeUndefined()
    expect(askedOutput(PAID_ROUTES['/v1/embeddings']!, { input: 'x' })).toBe(0)
  })

  it('rounds the ticket count up to a power of two, and the answer may use all the tickets buy', () => {
    expect([1, 2, 3, 5, 8, 9].map(nextPowerOfTwo)).toEqual([1, 2, 4, 8, 8, 16])
    const b = body({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(396) }], max_tokens: 300 })
    const q = quote(chat, b, { tokensPerTicket: 100 })
    expect(q.promptTokens).toBe(Math.ceil(b.length / 4))
    // (prompt ≈ 116 + 300) / 100 → 5 tickets, rounded up to 8
    expect(q.tickets).toBe(8)
    expect(q.outputBudget).toBe(800 - q.promptTokens)
    expect(quote(chat, body({ model: 'm' }), { tokensPerTicket: 1000, defaultMaxTokens: 256 }).tickets).toBe(1)
  })

  it('derives tokens per ticket from the pool price and a price per 1000 tokens', () => {
    expect(tokensPerTicketFor(10n ** 15n, 4n * 10n ** 15n)).toBe(250)
  })
})

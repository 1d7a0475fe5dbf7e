/**
 * Every route the gateway serves, through proxy → gateway → the scripted model server, with the
 * real `openai` and `ollama` clients: completions, embeddings, generate, the free model lists,
 * streamed tool calls, streams cut in each route's own shape, and a body refused before any ticket.
 */
import { mkdtempSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { Ollama } from 'ollama'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import { HEADER_REQUIRED, HEADER_SIGNATURE, TicketStore, decodeHeader, paymentRequiredSchema } from '@hermit/zkpay'
import { devnetDepositor, zkPayClientFor, type Depositor } from '@hermit/zkpay/testing'
import { devnetGatewayStack, type GatewayStack } from './testing/index.ts'

const net = useDevnet()
const TPT = 128
const model = 'scripted-model'
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `).join('')
let stack: GatewayStack
let openai: OpenAI
let ollama: Ollama
/** A second depositor, for payments sent straight to the gateway. */
let other: Depositor
const dir = mkdtempSync(join(tmpdir(), 'hermit-gateway-routes-'))

beforeAll(async () => {
  stack = await devnetGatewayStack(net(), { tickets: 8n, tokensPerTicket: TPT, precompute: 2, dir })
  other = await devnetDepositor(net(), stack.pool, 2, 1n, dir)
  openai = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: 'unused', maxRetries: 0 })
  ollama = new Ollama({ host: stack.proxyUrl })
}, 120_000)
afterAll(async () => {
  await stack?.close()
  await terminateProver()
})

const paidCalls = () => stack.seen.filter((h) => h[HEADER_SIGNATURE] !== undefined)
/** The answer budget the gateway gave the last paid call: what its tickets buy beyond the prompt it got. */
function budgetOf(h: IncomingHttpHeaders): number {
  const tickets = Object.keys(h).filter((k) => k.startsWith(HEADER_SIGNATURE)).length
  return tickets * TPT - Math.ceil(Number(h['content-length']) / 4)
}

describe('@hermit/gateway routes through the proxy, with the real openai and ollama clients', () => {
  it('/v1/completions, /v1/embeddings (priced by input alone), /api/generate with the real clients; /v1/models and /api/tags free', async () => {
    stack.model.script([
      { content: 'a plain completion', usage: { promptTokens: 3, completionTokens: 3 } },
      {
        embeddings: [
          [0.5, 0.25],
          [1, 2],
        ],
        usage: { promptTokens: 4, completionTokens: 0 },
      },
      { content: 'plain generated text', usage: { promptTokens: 5, completionTokens: 3 } },
    ])
    const plain = await openai.completions.create({ model, prompt: 'say it', max_tokens: 8 })
    expect(plain.choices[0]).toMatchObject({ text: 'a plain completion', finish_reason: 'stop' })
    expect(plain.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 })
    expect(stack.model.requests.at(-1)).toMatchObject({ path: '/v1/completions', body: { max_tokens: 8 } })

    // the client's default base64 encoding, decoded by the client to the scripted vectors
    const small = await openai.embeddings.create({ model, input: ['first', 'second'] }).withResponse()
    expect(small.data.data.map((d) => d.embedding)).toEqual([
      [0.5, 0.25],
      [1, 2],
    ])
    expect(small.response.headers.get('x-hermit-tickets')).toBe('1')
    // no answer budget is added to an embedding call, nor sent upstream
    expect(stack.model.requests.at(-1)!.body).not.toHaveProperty('max_tokens')
    // priced by input size: ≈ 160 tokens of input at 128 a ticket costs 2 tickets (the 402 says so)
    const big = await fetch(`${stack.gatewayUrl}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model, input: 'x'.repeat(600) }),
    })
    expect(big.status).toBe(402)
    const required = decodeHeader(paymentRequiredSchema, big.headers.get(HEADER_REQUIRED) ?? undefined, 'x')
    expect(required.accepts[0]!.extra).toMatchObject({ tokensPerTicket: TPT, ticketsRequired: 2 })

    const reply = await ollama.generate({ model, prompt: 'hi', stream: false, options: { num_predict: 16 } })
    expect(reply).toMatchObject({ response: 'plain generated text', done: true, done_reason: 'stop', eval_count: 3 })
    expect(stack.model.requests.at(-1)).toMatchObject({ path: '/api/generate', body: { options: { num_predict: 16 } } })

    // the model lists: no ticket
    const paid = paidCalls().length
    expect((await openai.models.list()).data.map((m) => m.id)).toEqual([model])
    expect((await ollama.list()).models.map((m) => m.name)).toEqual([model])
    expect(paidCalls()).toHaveLength(paid)
    expect(stack.gateway.metrics.tickets.get()).toBe(3)
  }, 60_000)

  it('streamed tool_calls deltas reach the openai client unchanged (its assembled call is the scripted one), and Ollama message.tool_calls', async () => {
    const call = { name: 'lookup', arguments: { q: 'hermit gateway', n: 2 } }
    stack.model.script([{ toolCalls: [call] }, { toolCalls: [call] }, { toolCalls: [call] }])
    const messages = [{ role: 'user' as const, content: 'find it' }]
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }]
    // what the scripted server streams for this reply, read straight from it
    const direct = await fetch(`${stack.model.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model, messages, tools, stream: true }),
    })
    const sent = (await direct.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta: { tool_calls?: unknown } }> })
      .map((c) => c.choices[0]?.delta.tool_calls)
      .filter((t) => t !== undefined)
    expect(sent.length).toBeGreaterThan(2) // the arguments come in pieces

    const got: unknown[] = []
    const stream = openai.chat.completions.stream({ model, messages, tools, max_tokens: 16 })
    stream.on('chunk', (chunk) => {
      const t = chunk.choices[0]?.delta.tool_calls
      if (t) got.push(t)
    })
    const final = await stream.finalChatCompletion()
    expect(got).toEqual(sent)
    expect(final.choices[0]!.message.tool_calls).toMatchObject([
      { id: 'call_0', type: 'function', function: { name: 'lookup', arguments: JSON.stringify(call.arguments) } },
    ])
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')

    const toolCalls: unknown[] = []
    for await (const part of await ollama.chat({ model, messages, tools, stream: true, options: { num_predict: 16 } }))
      if (part.message.tool_calls) toolCalls.push(...part.message.tool_calls)
    expect(toolCalls).toEqual([{ function: call }])
  }, 60_000)

  it("a stream cut at what was paid ends in its route's shape: /v1/completions text, /api/generate response, /api/chat message, reason length", async () => {
    // an upstream that ignores the budget it was sent
    stack.model.script([{ content: words(300) }, { content: words(300) }, { content: words(300) }])
    const cutsBefore = stack.gateway.metrics.cuts.get()

    const pieces: string[] = []
    let end: { object?: string; choices: Array<{ text: string; finish_reason: string | null }> } | undefined
    for await (const chunk of await openai.completions.create({ model, prompt: 'go', max_tokens: 8, stream: true })) {
      if (chunk.choices[0]?.text) pieces.push(chunk.choices[0].text)
      end = chunk
    }
    expect(pieces).toHaveLength(budgetOf(paidCalls().at(-1)!))
    expect(end).toMatchObject({ object: 'text_completion', choices: [{ text: '', finish_reason: 'length' }] })

    const generated: string[] = []
    let last: Record<string, unknown> = {}
    for await (const part of await ollama.generate({
      model,
      prompt: 'go',
      stream: true,
      options: { num_predict: 8 },
    })) {
      if (part.response) generated.push(part.response)
      last = part as unknown as Record<string, unknown>
    }
    expect(generated).toHaveLength(budgetOf(paidCalls().at(-1)!))
    expect(last).toMatchObject({ model, response: '', done: true, done_reason: 'length' })
    expect(last).not.toHaveProperty('message')

    const said: string[] = []
    let lastChat: Record<string, unknown> = {}
    const messages = [{ role: 'user', content: 'go' }]
    for await (const part of await ollama.chat({ model, messages, stream: true, options: { num_predict: 8 } })) {
      if (part.message.content) said.push(part.message.content)
      lastChat = part as unknown as Record<string, unknown>
    }
    expect(said).toHaveLength(budgetOf(paidCalls().at(-1)!))
    expect(lastChat).toMatchObject({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'length' })
    expect(lastChat).not.toHaveProperty('response')
    expect(stack.gateway.metrics.cuts.get()).toBe(cutsBefore + 3)
  }, 60_000)

  it('a body that is not JSON: 400 in the API format before any ticket is admitted or claimed; the same ticket then pays a good call as new', async () => {
    // the proxy refuses it before paying: nothing reaches the gateway, no proof is spent
    const seen = stack.seen.length
    const left = (await stack.proxy.status()).ticketsLeft
    const viaProxy = await fetch(`${stack.proxyUrl}/v1/chat/completions`, { method: 'POST', body: '{"model": "m",' })
    expect(viaProxy.status).toBe(400)
    expect(await viaProxy.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_REQUEST', type: 'hermit_error' } })
    const ollamaErr = await fetch(`${stack.proxyUrl}/api/generate`, { method: 'POST', body: 'hello' })
    expect([ollamaErr.status, await ollamaErr.json()]).toEqual([400, { error: expect.stringMatching(/not a JSON/) }])
    expect(stack.seen.length).toBe(seen)
    expect((await stack.proxy.status()).ticketsLeft).toBe(left)

    // unpaid, at the gateway: a 400, not a 402, so a client does not pay for it
    const unpaid = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', body: 'hello' })
    expect(unpaid.status).toBe(400)

    // paid, at the gateway: a real proof bound to the bad body (the 402 learned from an empty probe)
    const url = `${stack.gatewayUrl}/v1/chat/completions`
    const sentWith: string[] = []
    const payer = zkPayClientFor(net(), other, {
      fromBlock: stack.fromBlock,
      fetch: (u, init = {}) => {
        const h = new Headers(init.headers).get(HEADER_SIGNATURE)
        if (!h) return fetch(u, { method: 'GET' })
        sentWith.push(h)
        return fetch(u, init)
      },
    })
    const tickets = stack.gateway.metrics.tickets.get()
    const bad = await payer.fetch(url, { method: 'POST', body: '{"model": "scripted-model", oops' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_REQUEST' } })
    expect(sentWith).toHaveLength(1)
    const signals = (
      JSON.parse(Buffer.from(sentWith[0]!, 'base64').toString()) as { payload: { publicSignals: string[] } }
    ).payload.publicSignals
    const nullifier = BigInt(signals[1]!)
    expect(await stack.store.peek(stack.pool.scope, nullifier)).toBeNull()
    expect(stack.gateway.metrics.tickets.get()).toBe(tickets)
    expect(stack.events.filter((e) => 'nullifier' in e && e.nullifier === nullifier)).toEqual([])

    // the same deposit and ticket index again (a copy of the ticket file): the same nullifier pays as new
    const { version: _v, next: _n, ...state } = other.tickets.read()
    const copy = TicketStore.create(join(dir, 'tickets-copy.json'), state)
    stack.model.script([{ content: 'served after all' }])
    const again = zkPayClientFor(net(), { identity: other.identity, tickets: copy }, { fromBlock: stack.fromBlock })
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 })
    const good = await again.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(good.status).toBe(200)
    expect(
      ((await good.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content,
    ).toBe('served after all')
    expect(good.payment).toMatchObject({ status: 'new', nullifier: nullifier.toString() })
    expect(stack.gateway.metrics.tickets.get()).toBe(tickets + 1)
  }, 60_000)
})

import { afterAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { Ollama } from 'ollama'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import {
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  decodeHeader,
  paymentRequiredSchema,
  paymentResponseSchema,
} from '@hermit/zkpay'
import { zkPayClientFor } from '@hermit/zkpay/testing'
import { createPayProxy } from './proxy.ts'
import { PAID_ROUTES, quote } from './pricing.ts'
import { devnetGatewayStack } from './testing/index.ts'

const net = useDevnet()
afterAll(() => terminateProver())

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ')

describe('@hermit/gateway: prices, refusals, replays, cuts and metrics', () => {
  it('a 402 with its price; too few tickets refused; a failed call replays on retry; a stream cut at what was paid; refusals in the API format', async () => {
    const stack = await devnetGatewayStack(net(), {
      tickets: 2n,
      tokensPerTicket: 64,
      precompute: 1,
      lowTickets: 0,
      script: [{ status: 500, error: 'model exploded' }, { content: words(80) }],
    })
    try {
      const g = stack.gatewayUrl
      expect(await (await fetch(`${g}/healthz`)).json()).toEqual({ ok: true })

      // the 402 states the price per ticket, the tokens a ticket buys, and what this very call costs
      const bigBody = JSON.stringify({
        model: 'scripted-model',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 500,
      })
      const unpaid = await fetch(`${g}/v1/chat/completions`, { method: 'POST', body: bigBody })
      expect(unpaid.status).toBe(402)
      const required = decodeHeader(paymentRequiredSchema, unpaid.headers.get(HEADER_REQUIRED) ?? undefined, 'x')
      expect(required.accepts[0]!.amount).toBe(stack.pool.price.toString())
      expect(required.accepts[0]!.extra).toMatchObject({ tokensPerTicket: 64, ticketsRequired: 16 })
      const short = await fetch(`${g}/v1/chat/completions`, {
        method: 'POST',
        body: bigBody,
        headers: { 'payment-signature': 'bm90IGEgcHJvb2Y=' },
      })
      expect(short.status).toBe(402)
      expect(((await short.json()) as { error: { code: string } }).error.code).toBe('ZKPAY_TOO_FEW_TICKETS')

      // free: the model list, no ticket
      const ollama = new Ollama({ host: stack.proxyUrl })
      expect((await ollama.list()).models.map((m) => m.name)).toEqual(['scripted-model'])

      // the upstream fails before any token: its status and body pass through unchanged
      const failBody = JSON.stringify({
        model: 'scripted-model',
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        options: { num_predict: 8 },
      })
      const failed = await fetch(`${stack.proxyUrl}/api/chat`, { method: 'POST', body: failBody })
      expect(failed.status).toBe(500)
      expect(await failed.json()).toEqual({ error: 'model exploded' })
      // the same paid request again (a retry): the recorded answer, no new ticket, the model not asked again
      const sent = stack.seen.filter((h) => h['payment-signature'] !== undefined).at(-1)!
      const retry = await fetch(`${g}/api/chat`, {
        method: 'POST',
        body: failBody,
        headers: { 'content-type': 'application/json', 'payment-signature': String(sent['payment-signature']) },
      })
      expect(retry.status).toBe(500)
      expect(await retry.json()).toEqual({ error: 'model exploded' })
      expect(decodeHeader(paymentResponseSchema, retry.headers.get(HEADER_RESPONSE) ?? undefined, 'x').status).toBe(
        'replay',
      )
      expect(stack.model.requests).toHaveLength(1)
      expect(stack.gateway.metrics.tickets.get()).toBe(1)

      // an upstream that ignores max_tokens: the gateway cuts the stream where the ticket's tokens end
      const openai = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: 'unused', maxRetries: 0 })
      const request = { model: 'scripted-model', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 8 }
      const q = quote(
        PAID_ROUTES['/v1/chat/completions']!,
        new TextEncoder().encode(JSON.stringify({ ...request, stream: true })),
        {
          tokensPerTicket: 64,
        },
      )
      expect(q.tickets).toBe(1)
      const pieces: string[] = []
      let finish: string | null = null
      for await (const chunk of await openai.chat.completions.create({ ...request, stream: true })) {
        if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content)
        finish = chunk.choices[0]?.finish_reason ?? finish
      }
      expect(pieces).toHaveLength(q.outputBudget)
      expect(finish).toBe('length')
      expect(stack.model.requests[1]).toBeDefined()

      // no tickets left: refused in each client's own format, nothing sent to the gateway
      const before = stack.seen.length
      const err = await openai.chat.completions.create(request).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OpenAI.APIError)
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402)
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('GATEWAY_NO_TICKETS')
      const oerr = await ollama.chat({ model: 'scripted-model', messages: request.messages }).catch((e: unknown) => e)
      expect(oerr).toMatchObject({ status_code: 402, error: expect.stringMatching(/tickets/) })
      expect(stack.seen.length).toBe(before)

      // below the anonymity threshold the proxy does not pay
      const wary = createPayProxy({
        client: zkPayClientFor(net(), stack.user, { fromBlock: stack.fromBlock }),
        gateway: g,
        minAnonymitySet: 10,
      })
      const w = await wary.listen({ port: 0 })
      try {
        const refused = await new Ollama({ host: w.url })
          .chat({ model: 'scripted-model', messages: request.messages })
          .catch((e: unknown) => e)
        expect(refused).toMatchObject({ status_code: 503, error: expect.stringMatching(/Only 3 live deposits/) })
      } finally {
        await w.close()
      }

      const metrics = await (await fetch(`${g}/metrics`)).text()
      expect(metrics).toContain('hermit_gateway_refusals_total{reason="ZKPAY_TOO_FEW_TICKETS"} 1')
      expect(metrics).toContain('hermit_gateway_stream_cuts_total 1')
      expect(metrics).toContain('hermit_gateway_tickets_total 2')
      expect(metrics).toMatch(/hermit_gateway_store_seconds_count\{op="claim"\} \d+/)
      expect(metrics).toMatch(/hermit_gateway_payment_verification_seconds_count 2/)
      // where a paid call's time goes: the Groth16 checks (the verifier threads) and the model server's own head
      expect(metrics).toMatch(/hermit_gateway_proof_check_seconds_count [1-9]\d*/)
      expect(metrics).toMatch(/hermit_gateway_upstream_first_byte_seconds_count 2/)
      // nothing about who called or what was asked
      expect(metrics).not.toMatch(/127\.0\.0\.1|scripted-model|"hi"|w0/)
    } finally {
      await stack.close()
    }
  }, 120_000)
})

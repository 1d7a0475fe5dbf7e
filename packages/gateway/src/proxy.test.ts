// What sits on a proxied call's path, and what does not. With `--preverify` on both sides the proxy
// sends each precomputed proof to the gateway as soon as it is made and the gateway checks it then:
// the call itself only checks the one-time signature and claims the nullifier. And the proxy's
// count of the anonymity set is renewed in the background: no chain scan waits in front of a call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { HEADER_REQUIRED, decodeHeader, paymentRequiredSchema, type ZkPayClient } from '@hermit/zkpay'
import { zkPayClientFor } from '@hermit/zkpay/testing'
import { createPayProxy } from './proxy.ts'
import { devnetGatewayStack, type GatewayStack } from './testing/index.ts'

const net = useDevnet()
let stack: GatewayStack
beforeAll(async () => {
  stack = await devnetGatewayStack(net(), {
    tickets: 6n,
    tokensPerTicket: 256,
    precompute: 2,
    lowTickets: 0,
    preverify: true,
    script: () => ({ content: 'paid ahead' }),
  })
}, 120_000)
afterAll(async () => {
  await stack?.close()
  await terminateProver()
})

const chat = (base: string) =>
  new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused' }).chat.completions.create({
    model: 'scripted-model',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 32,
  })

describe('@hermit/gateway: a proxied call’s path', () => {
  it('with preverify the proxy sends its proofs ahead and the gateway checks them then: a call costs no pairing, and is served', async () => {
    const probe = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST' })
    const offer = decodeHeader(
      paymentRequiredSchema,
      probe.headers.get(HEADER_REQUIRED) ?? undefined,
      'PAYMENT-REQUIRED',
    )
    expect(offer.accepts[0]!.extra.preverify).toBe(true)
    // proxy.start() resolved once its two proofs were made, sent ahead and checked
    expect(stack.events.filter((e) => e.kind === 'preverified')).toHaveLength(2)
    const ahead = stack.gateway.gate.stats().pairings
    expect(ahead).toBe(2)
    expect((await chat(stack.proxyUrl)).choices[0]!.message.content).toBe('paid ahead')
    expect(stack.events.filter((e) => e.kind === 'paid')).toHaveLength(1)
    // the call was admitted on its signature and its claim: it added no pairing check
    expect(stack.gateway.gate.stats().pairings).toBe(ahead)
  }, 120_000)

  it('an old count of the anonymity set is renewed in the background: a call is served while the chain never answers', async () => {
    let scans = 0
    let hang = false
    // a client of the same user, whose pool scans hang once `hang` is set (an RPC that stopped answering)
    const client = new Proxy(zkPayClientFor(net(), stack.user, { fromBlock: stack.fromBlock }), {
      get(target, prop, receiver) {
        if (prop !== 'sync') return Reflect.get(target, prop, receiver)
        return () => {
          scans++
          return hang ? new Promise<never>(() => {}) : target.sync()
        }
      },
    }) as ZkPayClient
    const proxy = createPayProxy({ client, gateway: stack.gatewayUrl, precompute: 0, anonymityCacheMs: 0 })
    const listening = await proxy.listen({ port: 0 })
    try {
      // the first call has no count yet: it waits for one
      expect((await chat(listening.url)).choices[0]!.message.content).toBe('paid ahead')
      expect(scans).toBe(1)
      hang = true
      // the count is older than anonymityCacheMs (0): renewed in the background, and the call does not wait for it
      expect((await chat(listening.url)).choices[0]!.message.content).toBe('paid ahead')
      expect(scans).toBe(2)
    } finally {
      await listening.close()
    }
  }, 120_000)
})

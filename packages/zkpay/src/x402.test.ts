import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http'
import { parsePaymentPayload, parsePaymentRequired } from '@x402/core/schemas'
import type { PaymentPayload as X402PaymentPayload, SupportedResponse as X402Supported } from '@x402/core/types'
import { terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import {
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  HEADER_SIGNATURE,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  requestBinding,
  type PaymentRequirements,
} from './protocol.ts'
import type { PoolInfo } from './pool.ts'
import { devnetClient, devnetGate, devnetPool, type DevnetGate } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-x402-'))
let pool: PoolInfo
let fromBlock: bigint
let paid: DevnetGate
let server: Server
let url: string
const x402 = new x402HTTPClient(new x402Client())

/** An `exact` (EIP-3009 USDC) offer, as a server taking several schemes lists it beside zk-rln. */
const exactOffer = {
  scheme: 'exact',
  network: 'eip155:8453',
  amount: '10000',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2' },
}

beforeAll(async () => {
  ;({ pool, fromBlock } = await devnetPool(net()))
  paid = devnetGate(net(), pool, { dbPath: join(dir, 'n.sqlite'), fromBlock, preverify: true })
  // a multi-scheme server: Hermit's gate, with an `exact` offer put first in every 402 it sends
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const out = await paid.gate.process(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
        Buffer.concat(chunks),
        async (r) => ({ headers: { 'content-type': 'text/plain' }, body: `served ${r.url}` }),
      )
      const headers = { ...out.headers }
      if (req.url?.startsWith('/multi') && headers[HEADER_REQUIRED]) {
        const required = JSON.parse(Buffer.from(headers[HEADER_REQUIRED], 'base64').toString('utf8'))
        headers[HEADER_REQUIRED] = encodeHeader({ ...required, accepts: [exactOffer, ...required.accepts] })
      }
      // a server that takes other schemes only
      if (req.url?.startsWith('/other') && headers[HEADER_REQUIRED]) {
        const required = JSON.parse(Buffer.from(headers[HEADER_REQUIRED], 'base64').toString('utf8'))
        headers[HEADER_REQUIRED] = encodeHeader({
          ...required,
          accepts: [exactOffer, { ...exactOffer, scheme: 'upto' }],
        })
      }
      res.writeHead(out.status, headers).end(Buffer.from(out.body))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 60_000)
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((r) => server?.close(r))
  await paid?.close()
  await terminateProver()
})

/** The zk-rln offer of a 402 at `path`. */
async function offerAt(path: string): Promise<PaymentRequirements> {
  const res = await fetch(`${url}${path}`)
  await res.body?.cancel()
  return decodeHeader(paymentRequiredSchema, res.headers.get(HEADER_REQUIRED) ?? undefined, 'PAYMENT-REQUIRED')
    .accepts[0]!
}

/** A payment in the right shape for `path`, against a root the pool never had: refused before any pairing check. */
function madeUpPayment(accepted: PaymentRequirements, path: string, extra: Record<string, unknown> = {}) {
  return {
    x402Version: 2 as const,
    accepted,
    payload: {
      proof: {
        a: ['1', '2'],
        b: [
          ['3', '4'],
          ['5', '6'],
        ],
        c: ['7', '8'],
      },
      publicSignals: ['11', '12', '13', pool.scope.toString(), requestBinding('GET', path).toString()],
    },
    ...extra,
  }
}

describe('x402 v2 as the ecosystem reads it', () => {
  it("@x402/core's schemas and HTTP client parse Hermit's 402, with zk-rln for the pool's network and preverify as an extension", async () => {
    const res = await fetch(`${url}/v1/chat`)
    expect(res.status).toBe(402)
    const parsed = await x402.processResponse(res.clone())
    expect(parsed.paymentStatus).toBe('payment_required')
    const required = x402.getPaymentRequiredResponse((n) => res.headers.get(n))
    const checked = parsePaymentRequired(required)
    expect(checked.success).toBe(true)
    expect(required).toMatchObject({
      x402Version: 2,
      resource: { url: '/v1/chat' },
      accepts: [
        { scheme: 'zk-rln', network: `eip155:${pool.chainId}`, payTo: pool.address, amount: pool.price.toString() },
      ],
      extensions: { 'zk-rln-preverify': { info: { header: 'PAYMENT-PREVERIFY' } } },
    })
    // nothing was paid yet: no PAYMENT-RESPONSE
    expect(res.headers.get(HEADER_RESPONSE)).toBeNull()
  })

  it("a refused payment: 402 with PAYMENT-RESPONSE {success: false, errorReason} in snake_case, Hermit's code in the JSON body", async () => {
    const accepted = await offerAt('/v1/chat')
    const res = await fetch(`${url}/v1/chat`, {
      headers: { [HEADER_SIGNATURE]: encodeHeader(madeUpPayment(accepted, '/v1/chat')) },
    })
    expect(res.status).toBe(402)
    expect(await res.clone().json()).toMatchObject({ error: { code: 'ZKPAY_STALE_ROOT' } })
    const parsed = await x402.processResponse(res)
    expect(parsed.paymentStatus).toBe('settle_failed')
    expect(parsed.header).toMatchObject({
      success: false,
      errorReason: 'stale_root',
      transaction: '',
      network: `eip155:${pool.chainId}`,
    })
  })

  it('the server checks amount and asset in `accepted`, not only payTo and network', async () => {
    const accepted = await offerAt('/v1/chat')
    for (const [field, value] of [
      ['amount', '1'],
      ['asset', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'],
    ] as const) {
      const res = await fetch(`${url}/v1/chat`, {
        headers: { [HEADER_SIGNATURE]: encodeHeader(madeUpPayment({ ...accepted, [field]: value }, '/v1/chat')) },
      })
      expect(await res.clone().json()).toMatchObject({ error: { code: 'ZKPAY_WRONG_PRICE' } })
      expect(decodePaymentResponseHeader(res.headers.get(HEADER_RESPONSE)!)).toMatchObject({
        success: false,
        errorReason: 'invalid_payment_requirements',
      })
    }
  })

  it("accepts the spec's optional resource and extensions in a PAYMENT-SIGNATURE that @x402/core encoded", async () => {
    const accepted = await offerAt('/v1/chat')
    const payment = madeUpPayment(accepted, '/v1/chat', {
      resource: { url: '/v1/chat', description: 'a chat', serviceName: 'hermit' },
      extensions: { somethingElse: { info: {} } },
    }) as unknown as X402PaymentPayload
    expect(parsePaymentPayload(payment).success).toBe(true)
    const res = await fetch(`${url}/v1/chat`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payment) },
    })
    // parsed and checked as far as its (made-up) root: not refused as malformed
    expect(await res.json()).toMatchObject({ error: { code: 'ZKPAY_STALE_ROOT' } })
  })

  it('a PAYMENT-SIGNATURE of another scheme (an `exact` EIP-3009 payload): 402 with errorReason unsupported_scheme and the zk-rln offer', async () => {
    const exact = {
      x402Version: 2,
      accepted: exactOffer,
      payload: {
        signature: `0x${'ab'.repeat(65)}`,
        authorization: {
          from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
          to: exactOffer.payTo,
          value: exactOffer.amount,
          validAfter: '0',
          validBefore: '9999999999',
          nonce: `0x${'cd'.repeat(32)}`,
        },
      },
    } as unknown as X402PaymentPayload
    expect(parsePaymentPayload(exact).success).toBe(true)
    const res = await fetch(`${url}/v1/chat`, { headers: { [HEADER_SIGNATURE]: encodePaymentSignatureHeader(exact) } })
    expect(res.status).toBe(402)
    expect(await res.clone().json()).toMatchObject({ error: { code: 'ZKPAY_UNSUPPORTED_SCHEME' } })
    expect(decodePaymentResponseHeader(res.headers.get(HEADER_RESPONSE)!)).toMatchObject({
      success: false,
      errorReason: 'unsupported_scheme',
    })
    // the 402 says what it does take
    const required = decodeHeader(paymentRequiredSchema, res.headers.get(HEADER_REQUIRED) ?? undefined, 'x')
    expect(required.accepts.map((a) => a.scheme)).toEqual(['zk-rln'])
    // a zk-rln payment that does not parse is still malformed, not another scheme
    const broken = { ...madeUpPayment(await offerAt('/v1/chat'), '/v1/chat'), payload: { signature: '0x00' } }
    const bad = await fetch(`${url}/v1/chat`, { headers: { [HEADER_SIGNATURE]: encodeHeader(broken) } })
    expect(await bad.json()).toMatchObject({ error: { code: 'ZKPAY_MALFORMED' } })
    expect(decodePaymentResponseHeader(bad.headers.get(HEADER_RESPONSE)!)).toMatchObject({
      errorReason: 'invalid_payload',
    })
  })

  it("GET /supported lists zk-rln for the pool's network, as x402 tooling discovers schemes", async () => {
    const res = await fetch(`${url}/supported`)
    expect(res.status).toBe(200)
    const supported = (await res.json()) as X402Supported
    expect(supported.kinds).toEqual([
      expect.objectContaining({ x402Version: 2, scheme: 'zk-rln', network: `eip155:${pool.chainId}` }),
    ])
    expect(supported.extensions).toEqual(['zk-rln-preverify'])
  })

  it("a 402 offering exact and zk-rln: Hermit's client picks zk-rln and pays; @x402/core reads the PAYMENT-RESPONSE", async () => {
    const first = await fetch(`${url}/multi/call`)
    const required = decodeHeader(
      paymentRequiredSchema,
      first.headers.get(HEADER_REQUIRED) ?? undefined,
      'PAYMENT-REQUIRED',
    )
    expect(required.accepts.map((a) => a.scheme)).toEqual(['zk-rln'])
    expect(
      parsePaymentRequired(JSON.parse(Buffer.from(first.headers.get(HEADER_REQUIRED)!, 'base64').toString())).success,
    ).toBe(true)
    const { client } = await devnetClient(net(), pool, 1, 4n, dir, { fromBlock })
    const res = await client.fetch(`${url}/multi/call`)
    expect(res.status).toBe(200)
    expect(await res.clone().text()).toBe('served /multi/call')
    const settled = x402.getPaymentSettleResponse((n) => res.headers.get(n))
    expect(settled).toMatchObject({
      success: true,
      network: `eip155:${pool.chainId}`,
      transaction: res.payment!.nullifier,
      extensions: { 'zk-rln': { nullifier: res.payment!.nullifier, status: 'new' } },
    })
    expect(settled).not.toHaveProperty('payer')
    expect(res.payment).toMatchObject({ success: true, status: 'new' })
  }, 120_000)

  it("a 402 offering only other schemes: Hermit's client refuses to pay (ZKPAY_NO_MATCHING_POOL)", async () => {
    const { client } = await devnetClient(net(), pool, 2, 2n, dir, { fromBlock })
    await expect(client.fetch(`${url}/other/call`)).rejects.toMatchObject({ code: 'ZKPAY_NO_MATCHING_POOL' })
    expect(client.remainingTickets()).toBe(2)
    const only = paymentRequiredSchema.parse({
      x402Version: 2,
      accepts: [exactOffer, { ...exactOffer, scheme: 'upto' }],
    })
    expect(only.accepts).toEqual([])
    // a zk-rln offer that does not parse is refused, not silently taken for another scheme
    expect(
      paymentRequiredSchema.safeParse({ x402Version: 2, accepts: [{ ...exactOffer, scheme: 'zk-rln' }] }).success,
    ).toBe(false)
  })
})

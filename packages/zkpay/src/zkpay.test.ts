import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeAndWait } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { proveCredit, terminateProver, toSolidityCalldata } from '@hermit/circuits'
import {
  HEADER_PREVERIFY,
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  requestBinding,
} from './protocol.ts'
import { liveLeaves, removalSiblings, syncTree } from './sync.ts'
import { createZkPayGate, type EarlyStart } from './server.ts'
import { SqliteNullifierStore } from './store.ts'
import {
  devnetClient,
  devnetDepositor,
  devnetPool,
  startPaidServer,
  zkPayClientFor,
  type PaidServer,
} from './testing/index.ts'
import type { PoolInfo } from './pool.ts'

const net = useDevnet()

/** A fetch that remembers the last PAYMENT-SIGNATURE it sent (to replay it by hand). */
function capturingFetch(): { fetch: typeof fetch; last: () => string } {
  let sent = ''
  return {
    fetch: (url, init) => {
      const h = new Headers(init?.headers).get(HEADER_SIGNATURE)
      if (h) sent = h
      return fetch(url, init)
    },
    last: () => sent,
  }
}
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-e2e-'))
const dbPath = join(dir, 'nullifiers.sqlite')
let pool: PoolInfo
let fromBlock: bigint
let server: PaidServer
const handler = async (req: import('./server.ts').PaidRequest, ctx: { body: Buffer }) => ({
  headers: { 'content-type': 'text/plain' },
  body: `echo ${req.method} ${req.url} ${ctx.body.toString()}`,
})

beforeAll(async () => {
  ;({ pool, fromBlock } = await devnetPool(net()))
  server = await startPaidServer(net(), pool, { dbPath, handler, fromBlock })
}, 60_000)
afterAll(async () => {
  await server?.close()
  await terminateProver()
})

describe('anonymous paid calls (zk-rln over HTTP 402)', () => {
  it('answers 402 with the requirements, then serves a paid call; two calls show unlinkable nullifiers', async () => {
    const bare = await fetch(`${server.url}/v1/chat`)
    expect(bare.status).toBe(402)
    const required = decodeHeader(
      paymentRequiredSchema,
      bare.headers.get(HEADER_REQUIRED) ?? undefined,
      'PAYMENT-REQUIRED',
    )
    expect(required.accepts[0]).toMatchObject({
      scheme: 'zk-rln',
      payTo: pool.address,
      network: 'eip155:31337',
      extra: { scope: pool.scope.toString() },
    })

    const { client } = await devnetClient(net(), pool, 1, 20n, dir, { fromBlock })
    const a = await client.fetch(`${server.url}/v1/chat`, { method: 'POST', body: 'hello' })
    expect(a.status).toBe(200)
    expect(await a.text()).toBe('echo POST /v1/chat hello')
    expect(a.payment).toMatchObject({ success: true, status: 'new' })
    const b = await client.fetch(`${server.url}/v1/chat`, { method: 'POST', body: 'hello' })
    expect(b.status).toBe(200)
    expect(a.payment!.nullifier).not.toBe(b.payment!.nullifier)
    expect([a.ticket, b.ticket]).toEqual([0, 1])
    expect(client.remainingTickets()).toBe(18)
    // the provider earned the ticket price at deposit time; what it sees per call is only a nullifier
    expect(
      await net().publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'providerBalance',
      }),
    ).toBe(20n * pool.price)
  }, 120_000)

  it('the 402 advertises the anonymity set counted from the pool: N after N deposits, one fewer after a slash', async () => {
    const fresh = await devnetPool(net())
    const store = SqliteNullifierStore.open(join(dir, 'anonymity.sqlite'))
    try {
      const gate = createZkPayGate({
        publicClient: net().publicClient,
        pool: fresh.pool,
        store,
        fromBlock: fresh.fromBlock,
        rootCacheMs: 0,
      })
      const advertised = async () => {
        const res = await gate.process({ method: 'GET', url: '/v1/chat', headers: {} }, Buffer.alloc(0), handler)
        expect(res.status).toBe(402)
        const required = decodeHeader(paymentRequiredSchema, res.headers[HEADER_REQUIRED], 'PAYMENT-REQUIRED')
        return required.accepts[0]!.extra.anonymitySet
      }
      expect(await advertised()).toBe(0)
      const depositors = []
      for (const index of [1, 2, 3]) depositors.push(await devnetDepositor(net(), fresh.pool, index, 2n, dir))
      expect(await advertised()).toBe(3)
      expect((await gate.requirements('/v1/chat')).accepts[0]!.extra.anonymitySet).toBe(3)
      // a slashed deposit leaves the tree, so it no longer hides anyone
      const victim = depositors[1]!
      const before = await syncTree(net().publicClient, fresh.pool.address, { fromBlock: fresh.fromBlock })
      await writeAndWait(
        { publicClient: net().publicClient, walletClient: net().walletFor(net().accounts[5]!) },
        {
          address: fresh.pool.address,
          abi: creditPoolAbi,
          functionName: 'slash',
          args: [victim.secret, 2n, BigInt(victim.leafIndex), removalSiblings(before.tree, victim.leafIndex)],
        },
      )
      expect(await advertised()).toBe(2)
      // the same count a client makes from the tree it proves against
      expect(liveLeaves(await syncTree(net().publicClient, fresh.pool.address, { fromBlock: fresh.fromBlock }))).toBe(2)
    } finally {
      await store.close()
    }
  }, 60_000)

  it('a retry of the same payment replays the recorded answer without a second charge', async () => {
    const capture = capturingFetch()
    const { client } = await devnetClient(net(), pool, 2, 5n, dir, { fromBlock, fetch: capture.fetch })
    const first = await client.fetch(`${server.url}/v1/models`)
    expect(first.status).toBe(200)
    const count = await server.store.count()
    const retry = await fetch(`${server.url}/v1/models`, { headers: { [HEADER_SIGNATURE]: capture.last() } })
    expect(retry.status).toBe(200)
    expect(await retry.text()).toBe('echo GET /v1/models ')
    expect(await server.store.count()).toBe(count)
    // the same payment cannot pay for another request
    const other = await fetch(`${server.url}/v1/other`, { headers: { [HEADER_SIGNATURE]: capture.last() } })
    expect(other.status).toBe(400)
    expect(await other.json()).toMatchObject({
      error: { code: 'ZKPAY_WRONG_REQUEST', message: expect.stringMatching(/bound to another request/) },
    })
  }, 120_000)

  it('early start: fresh tickets may start their work beside the claim; a retry starts none, and a racing copy has its start undone', async () => {
    const log: string[] = []
    const early: EarlyStart = (ctx) => {
      log.push(`early ${ctx.nullifiers.length}`)
      return () => log.push('undo')
    }
    /** One request into gate.process, with `early`, as a fetch. */
    const viaProcess = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const u = new URL(url)
      const headers: Record<string, string> = {}
      new Headers(init.headers).forEach((v, k) => (headers[k] = v))
      const body = Buffer.from(typeof init.body === 'string' ? init.body : '')
      const out = await server.gate.process(
        { method: init.method ?? 'GET', url: `${u.pathname}${u.search}`, headers },
        body,
        async (req, ctx) => {
          log.push('handler')
          return handler(req, ctx)
        },
        early,
      )
      return new Response(Buffer.from(out.body), { status: out.status, headers: out.headers })
    }
    let copies = 1
    let last = ''
    const statuses: number[] = []
    const { client } = await devnetClient(net(), pool, 3, 3n, dir, {
      fromBlock,
      fetch: async (url, init) => {
        const paying = new Headers(init?.headers).get(HEADER_SIGNATURE)
        if (!paying) return viaProcess(String(url), init)
        last = paying
        const answers = await Promise.all(Array.from({ length: copies }, () => viaProcess(String(url), init)))
        statuses.push(...answers.map((a) => a.status))
        return answers.find((a) => a.status === 200) ?? answers[0]!
      },
    })
    const url = 'http://gateway.example/v1/early'
    expect((await client.fetch(url, { method: 'POST', body: 'one' })).status).toBe(200)
    expect(log).toEqual(['early 1', 'handler'])
    // the same payment again: a replay of the recorded answer, nothing started
    log.length = 0
    const retry = await viaProcess(url, { method: 'POST', body: 'one', headers: { [HEADER_SIGNATURE]: last } })
    expect(retry.status).toBe(200)
    expect(log).toEqual([])
    // two copies of a new payment at once: both proofs verified and unseen, so both start; one
    // claims its ticket and is served, the other's claim refuses it (in progress, or a replay) and its start is undone
    log.length = 0
    statuses.length = 0
    copies = 2
    expect((await client.fetch(url, { method: 'POST', body: 'two' })).status).toBe(200)
    expect(log.filter((l) => l === 'early 1')).toHaveLength(2)
    expect(log.filter((l) => l === 'handler')).toHaveLength(1)
    expect(log.filter((l) => l === 'undo')).toHaveLength(1)
    expect(statuses).toContain(200)
  }, 120_000)

  it('one identity, two deposits: each has its own secret, so their tickets never collide', async () => {
    const first = await devnetDepositor(net(), pool, 9, 2n, dir)
    const { TicketStore } = await import('./tickets.ts')
    const { prepareDeposit, depositToPool } = await import('./pool.ts')
    const again = prepareDeposit(first.identity, 2n)
    const { leafIndex } = await depositToPool(
      net().publicClient,
      net().walletFor(net().accounts[9]!),
      pool,
      again.leaf,
      2n,
    )
    const second = TicketStore.create(join(dir, `second-${leafIndex}.json`), {
      pool: pool.address,
      chainId: pool.chainId,
      leafIndex,
      tickets: 2,
      secretNonce: again.secretNonce,
    })
    const a = zkPayClientFor(net(), first, { fromBlock })
    const b = zkPayClientFor(net(), { identity: first.identity, tickets: second }, { fromBlock })
    const ra = await a.fetch(`${server.url}/two-deposits`, { method: 'POST', body: 'a' })
    const rb = await b.fetch(`${server.url}/two-deposits`, { method: 'POST', body: 'b' })
    expect([ra.status, rb.status, ra.ticket, rb.ticket]).toEqual([200, 200, 0, 0])
    expect(ra.payment!.nullifier).not.toBe(rb.payment!.nullifier)
  }, 120_000)

  it('a ticket spent twice reveals the secret and the deposit is slashed on-chain', async () => {
    const { client, depositor } = await devnetClient(net(), pool, 3, 3n, dir, { fromBlock })
    const honest = await client.fetch(`${server.url}/v1/chat`, { method: 'POST', body: 'first' })
    expect(honest.status).toBe(200)
    // a cheating client proves ticket 0 again, for another request
    const { tree } = await syncTree(net().publicClient, pool.address, { fromBlock })
    const x = requestBinding('POST', '/v1/chat', 'second')
    const proved = await proveCredit({ sk: depositor.secret, n: 3n, i: 0n, tree, scope: pool.scope, x })
    const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
    const required = decodeHeader(
      paymentRequiredSchema,
      (await fetch(`${server.url}/v1/chat`)).headers.get(HEADER_REQUIRED) ?? undefined,
      'PAYMENT-REQUIRED',
    )
    const header = encodeHeader({
      x402Version: 2,
      accepted: required.accepts[0],
      payload: { proof: { a: cd.a, b: cd.b, c: cd.c }, publicSignals: cd.pub },
    })
    const providerBefore = await net().publicClient.readContract({
      address: pool.address,
      abi: creditPoolAbi,
      functionName: 'providerBalance',
    })
    const cheat = await fetch(`${server.url}/v1/chat`, {
      method: 'POST',
      body: 'second',
      headers: { [HEADER_SIGNATURE]: header },
    })
    expect(cheat.status).toBe(402)
    expect(await cheat.json()).toMatchObject({
      error: { code: 'ZKPAY_DOUBLE_SPEND', message: expect.stringMatching(/already spent.*slashed/) },
    })
    const [, , status] = await net().publicClient.readContract({
      address: pool.address,
      abi: creditPoolAbi,
      functionName: 'deposits',
      args: [BigInt(depositor.leafIndex)],
    })
    expect(status).toBe(4) // Slashed
    expect(
      await net().publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'providerBalance',
      }),
    ).toBe(providerBefore + pool.stake)
    expect(server.events.some((e) => e.kind === 'double-spend' && e.slashTx)).toBe(true)
  }, 120_000)

  it('1,000 malformed payment headers all get 4xx, and the server keeps serving', async () => {
    const required = decodeHeader(
      paymentRequiredSchema,
      (await fetch(`${server.url}/x`)).headers.get(HEADER_REQUIRED) ?? undefined,
      'PAYMENT-REQUIRED',
    )
    const acc = required.accepts[0]!
    const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
    const good = {
      a: ['1', '2'],
      b: [
        ['3', '4'],
        ['5', '6'],
      ],
      c: ['7', '8'],
    }
    let seed = 7
    const rnd = () => ((seed = (seed * 48271) % 2147483647), seed)
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64')
    const makers: Array<() => string> = [
      () => Buffer.from(Array.from({ length: 1 + (rnd() % 200) }, () => rnd() % 256)).toString('base64'),
      () => '%%%not-base64%%%',
      () => b64('{"x402Version":2,'),
      () => b64({ x402Version: 1 }),
      () => b64({ x402Version: 2, accepted: acc, payload: { proof: good, publicSignals: ['1', '2', '3', '4'] } }),
      () =>
        b64({
          x402Version: 2,
          accepted: acc,
          payload: { proof: good, publicSignals: [p.toString(), '1', '1', acc.extra.scope, '1'] },
        }),
      () =>
        b64({
          x402Version: 2,
          accepted: { ...acc, payTo: '0x0000000000000000000000000000000000000001' },
          payload: { proof: good, publicSignals: ['1', '1', '1', acc.extra.scope, '1'] },
        }),
      () => b64({ x402Version: 2, accepted: acc, payload: { proof: good, publicSignals: ['1', '1', '1', '5', '1'] } }),
      () =>
        b64({
          x402Version: 2,
          accepted: acc,
          payload: { proof: good, publicSignals: ['1', '1', '1', acc.extra.scope, String(rnd())] },
        }),
      () =>
        b64({
          x402Version: 2,
          accepted: acc,
          payload: { proof: { ...good, a: ['-1', '2'] }, publicSignals: ['1', '1', '1', acc.extra.scope, '1'] },
        }),
      () => 'A'.repeat(9000),
    ]
    const statuses = new Map<number, number>()
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fetch(`${server.url}/x`, {
            headers: { [HEADER_SIGNATURE]: makers[(batch * 50 + j) % makers.length]!() },
          }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ),
      )
      for (const s of results) statuses.set(s, (statuses.get(s) ?? 0) + 1)
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0)
    expect(total).toBe(1000)
    for (const s of statuses.keys()) expect(s >= 400 && s < 500, `status ${s}`).toBe(true)
    const { client } = await devnetClient(net(), pool, 4, 2n, dir, { fromBlock })
    expect((await client.fetch(`${server.url}/still-serving`)).status).toBe(200)
  }, 180_000)

  it('precomputed proofs: a paid call only signs with a one-time key; the proof is useless for another request', async () => {
    const capture = capturingFetch()
    const { client } = await devnetClient(net(), pool, 7, 10n, dir, { fromBlock, fetch: capture.fetch })
    await client.precompute(`${server.url}/v1/chat`, 2)
    expect(client.readyProofs()).toBe(2)
    const t0 = performance.now()
    const res = await client.fetch(`${server.url}/v1/chat`, { method: 'POST', body: 'fast' })
    const ms = performance.now() - t0
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('echo POST /v1/chat fast')
    expect(ms).toBeLessThan(1_000) // no proving on the call path (a proof alone takes > 1 s here)
    // someone who copies the header cannot spend it on another request: the one-time key did not sign it
    const stolen = await fetch(`${server.url}/v1/chat`, {
      method: 'POST',
      body: 'other',
      headers: { [HEADER_SIGNATURE]: capture.last() },
    })
    expect(stolen.status).toBe(400)
    expect(await stolen.json()).toMatchObject({
      error: { code: 'ZKPAY_WRONG_REQUEST', message: expect.stringMatching(/did not sign this request/) },
    })
  }, 120_000)

  it('preverify: precomputed proofs are checked before their call, which then skips the pairing check; nothing is spent ahead', async () => {
    const fast = await startPaidServer(net(), pool, {
      dbPath: join(dir, 'preverify.sqlite'),
      handler,
      fromBlock,
      preverify: true,
      workers: 1,
    })
    try {
      const sent: string[] = []
      let holdBack = false
      let held = ''
      const { client } = await devnetClient(net(), pool, 9, 4n, dir, {
        fromBlock,
        preverify: true,
        fetch: (url, init) => {
          const h = new Headers(init?.headers)
          if (h.get(HEADER_PREVERIFY)) sent.push(h.get(HEADER_PREVERIFY)!)
          if (holdBack && h.get(HEADER_SIGNATURE)) {
            // this payment never reaches the server: someone may try to use it
            holdBack = false
            held = h.get(HEADER_SIGNATURE)!
            return Promise.resolve(new Response('held back', { status: 503 }))
          }
          return fetch(url, init)
        },
      })
      await client.precompute(`${fast.url}/v1/chat`, 2)
      await client.precompute(`${fast.url}/v1/chat`, 0) // no background proving from here on
      expect(sent).toHaveLength(2)
      expect(fast.events.filter((e) => e.kind === 'preverified')).toHaveLength(2)
      expect(await fast.store.count()).toBe(0) // checking ahead spends nothing
      const verify = vi.spyOn(fast.verifier, 'verify')
      const res = await client.fetch(`${fast.url}/v1/chat`, { method: 'POST', body: 'ahead' })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('echo POST /v1/chat ahead')
      expect(verify).not.toHaveBeenCalled() // the fast path: only the one-time signature was checked
      expect(await fast.store.count()).toBe(1)
      // a proof sent ahead with a tampered point, for a ticket verified ahead already, is refused
      // without a pairing check: the first verified proof keeps the slot
      const tampered = JSON.parse(Buffer.from(sent[1]!, 'base64').toString()) as { payload: { proof: { a: string[] } } }
      tampered.payload.proof.a[0] = (BigInt(tampered.payload.proof.a[0]!) ^ 1n).toString()
      const bad = await fetch(`${fast.url}/v1/chat`, {
        method: 'POST',
        headers: { [HEADER_PREVERIFY]: encodeHeader(tampered) },
      })
      expect(bad.status).toBe(409)
      expect(await bad.json()).toMatchObject({ error: { code: 'ZKPAY_ALREADY_PREVERIFIED' } })
      expect(verify).not.toHaveBeenCalled()
      // it did not displace the honest proof for that ticket: the second call also takes the fast path
      expect((await client.fetch(`${fast.url}/v1/chat`, { method: 'POST', body: 'again' })).status).toBe(200)
      expect(verify).not.toHaveBeenCalled()
      // the fast path still needs the one-time key's signature over this very request
      await client.precompute(`${fast.url}/v1/chat`, 1)
      await client.precompute(`${fast.url}/v1/chat`, 0)
      holdBack = true
      expect((await client.fetch(`${fast.url}/v1/chat`, { method: 'POST', body: 'mine' })).status).toBe(503)
      const stolen = await fetch(`${fast.url}/v1/chat`, {
        method: 'POST',
        body: 'other',
        headers: { [HEADER_SIGNATURE]: held },
      })
      expect(stolen.status).toBe(400)
      expect(await stolen.json()).toMatchObject({
        error: { code: 'ZKPAY_WRONG_REQUEST', message: expect.stringMatching(/did not sign this request/) },
      })
      const genuine = await fetch(`${fast.url}/v1/chat`, {
        method: 'POST',
        body: 'mine',
        headers: { [HEADER_SIGNATURE]: held },
      })
      expect(genuine.status).toBe(200)
      expect(verify).toHaveBeenCalledTimes(1) // the third proof, when it was sent ahead; neither call ran a pairing check
      // a server that does not offer it says so, and a client only sends ahead when offered
      const unsupported = await fetch(`${server.url}/v1/chat`, {
        method: 'POST',
        headers: { [HEADER_PREVERIFY]: sent[0]! },
      })
      expect(unsupported.status).toBe(400)
      expect(await unsupported.json()).toMatchObject({ error: { code: 'ZKPAY_PREVERIFY_UNSUPPORTED' } })
      const before = sent.length
      const { client: plain } = await devnetClient(net(), pool, 9, 2n, dir, {
        fromBlock,
        preverify: true,
        fetch: (url, init) => {
          if (new Headers(init?.headers).get(HEADER_PREVERIFY)) sent.push('unexpected')
          return fetch(url, init)
        },
      })
      await plain.precompute(`${server.url}/v1/chat`, 1)
      expect(plain.readyProofs()).toBe(1)
      expect(sent).toHaveLength(before)
    } finally {
      await fast.close()
    }
  }, 120_000)

  it('the same gate serves web-standard Request/Response (Hono, Bun, Deno), and the client adds no identifying header', async () => {
    const seen: string[][] = []
    const { client } = await devnetClient(net(), pool, 8, 3n, dir, {
      fromBlock,
      // no HTTP server at all: straight into the gate's fetch handler
      fetch: (url, init) => {
        const request = new Request(url, init)
        seen.push([...request.headers.keys()].sort())
        return server.gate.fetch(request, handler)
      },
    })
    const res = await client.fetch('http://gateway.example/v1/fetch-adapter?q=1', { method: 'POST', body: 'via fetch' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('echo POST /v1/fetch-adapter?q=1 via fetch')
    expect(res.payment?.status).toBe('new')
    // first try: no header at all; the paid retry: only the payment
    expect(seen).toEqual([['content-type'], ['content-type', HEADER_SIGNATURE]])
  }, 120_000)

  it('refuses to pay a server whose requirements differ from the pool on-chain (a unique scope would tag the client)', async () => {
    const tagging = (async (url: string | URL | Request, init?: RequestInit) => {
      const res = await fetch(url, init)
      if (res.status !== 402) return res
      const required = decodeHeader(
        paymentRequiredSchema,
        res.headers.get(HEADER_REQUIRED) ?? undefined,
        'PAYMENT-REQUIRED',
      )
      required.accepts[0]!.extra.scope = '123456789'
      return new Response('{}', { status: 402, headers: { [HEADER_REQUIRED]: encodeHeader(required) } })
    }) as typeof fetch
    const { client } = await devnetClient(net(), pool, 8, 2n, dir, { fromBlock, fetch: tagging })
    await expect(client.fetch(`${server.url}/tag-me`)).rejects.toThrow(/do not match the pool on-chain/)
    expect(client.remainingTickets()).toBe(2) // nothing spent
  }, 60_000)

  it('a restarted server keeps every recorded nullifier', async () => {
    const capture = capturingFetch()
    const { client } = await devnetClient(net(), pool, 6, 2n, dir, { fromBlock, fetch: capture.fetch })
    expect((await client.fetch(`${server.url}/before-restart`)).status).toBe(200)
    const count = await server.store.count()
    await server.close()
    server = await startPaidServer(net(), pool, { dbPath, handler, fromBlock })
    expect(await server.store.count()).toBe(count)
    const again = await fetch(`${server.url}/before-restart`, { headers: { [HEADER_SIGNATURE]: capture.last() } })
    expect(again.status).toBe(200)
    expect(server.events.map((e) => e.kind)).toEqual(['replay'])
  }, 120_000)
})

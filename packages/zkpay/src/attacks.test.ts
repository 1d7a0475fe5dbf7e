/**
 * The attacks that broke the gate, each mounted against the devnet: junk payments, a flood past the
 * verification queue, made-up and predicted roots, a root past its window, and preverify copies.
 * The gate runs in-process on a clock the tests move (never a sleep) and a public client whose RPC
 * requests are counted.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { Reader } from '@hermit/chain'
import { SNARK_FIELD, loadVerificationKey, terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { ZkIdentity } from './identity.ts'
import { depositToPool, prepareDeposit, type PoolInfo } from './pool.ts'
import {
  HEADER_PREVERIFY,
  HEADER_SIGNATURE,
  encodeHeader,
  oneTimeKeyX,
  requestBinding,
  type PaymentRequirements,
} from './protocol.ts'
import { createZkPayGate, type GateEvent, type PaidHandler, type ZkPayGateOptions } from './server.ts'
import { SqliteNullifierStore } from './store.ts'
import { syncTree } from './sync.ts'
import { devnetClient, devnetPool } from './testing/index.ts'
import { ProofVerifierPool } from './verifier.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-attacks-'))
const handler: PaidHandler = async (req, ctx) => ({ body: `ok ${req.method} ${req.url} ${ctx.body.toString()}` })
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closers) await close()
  await terminateProver()
})

const randomField = () => BigInt(`0x${randomBytes(32).toString('hex')}`) % SNARK_FIELD
/** Points on the curve (the generators of G1 and G2, in the wire's order): junk that parses and costs a real pairing. */
const curveJunk = {
  a: ['1', '2'],
  b: [
    [
      '11559732032986387107991004021392285783925812861821192530917403151452391805634',
      '10857046999023057135944570762232829481370756359578518086990519993285655852781',
    ],
    [
      '4082367875863433681332203403145435568316851327593401208105741076214120093531',
      '8495653923123431417604973247489272438418190587263600148770280649306958101930',
    ],
  ],
  c: ['1', '2'],
}

const body = 'hello'
const url = '/v1/chat'
const bound = requestBinding('POST', url, body)

/** A gate over a fresh pool, in-process: a clock the test moves, RPC requests counted, the verifier spied on. */
async function setup(name: string, extra: Partial<ZkPayGateOptions> = {}) {
  const { pool, fromBlock } = await devnetPool(net())
  const rpc = { count: 0 }
  const publicClient = createPublicClient({
    chain: net().publicClient.chain,
    transport: http(net().rpcUrl, { retryCount: 0, onFetchRequest: () => void rpc.count++ }),
    pollingInterval: 10,
  }) as Reader
  const clock = { t: Date.now() }
  const store = SqliteNullifierStore.open(join(dir, `${name}.sqlite`))
  const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1 })
  closers.push(async () => {
    await verifier.close()
    await store.close()
  })
  const verify = vi.spyOn(verifier, 'verify')
  const events: GateEvent[] = []
  const gate = createZkPayGate({
    publicClient,
    pool,
    store,
    verifier,
    fromBlock,
    now: () => clock.t,
    onEvent: (e) => events.push(e),
    ...extra,
  })
  const accepted = (await gate.requirements(url)).accepts[0]!
  /** A payment for POST /v1/chat with these public signals and proof points (junk unless they are a real proof). */
  const pay = async (
    signals: { root: bigint; x?: bigint; scope?: bigint; nullifier?: bigint },
    options: { proof?: typeof curveJunk; accepted?: PaymentRequirements; oneTimeKey?: object } = {},
  ) => {
    const header = encodeHeader({
      x402Version: 2,
      accepted: options.accepted ?? accepted,
      payload: {
        proof: options.proof ?? curveJunk,
        publicSignals: [
          randomField(),
          signals.nullifier ?? randomField(),
          signals.root,
          signals.scope ?? pool.scope,
          signals.x ?? bound,
        ],
        ...(options.oneTimeKey ? { oneTimeKey: options.oneTimeKey } : {}),
      },
    })
    const out = await gate.process(
      { method: 'POST', url, headers: { [HEADER_SIGNATURE]: header } },
      Buffer.from(body),
      handler,
    )
    const parsed = JSON.parse(new TextDecoder().decode(out.body)) as { error?: { code: string } }
    return { status: out.status, code: parsed.error?.code, headers: out.headers }
  }
  const currentRoot = async (p: PoolInfo = pool) => (await syncTree(net().publicClient, p.address, { fromBlock })).root
  /** Moves the gate's clock past its root recheck: its next lookup reads the chain again. */
  const tick = () => void (clock.t += 250)
  return { pool, fromBlock, gate, store, verify, events, rpc, clock, tick, pay, currentRoot, accepted }
}

describe('the gate under attack', () => {
  it('junk payments are refused without a pairing check: wrong x, made-up root, wrong scope or pool, a bad one-time signature', async () => {
    const { pool, gate, verify, pay, currentRoot, tick } = await setup('junk')
    await devnetClient(net(), pool, 1, 2n, dir) // a deposit, so the pool has a root
    tick()
    const root = await currentRoot()
    // the flood: right scope, random signals, wrong x
    for (let k = 0; k < 100; k++)
      expect(await pay({ root: randomField(), x: randomField() })).toMatchObject({
        status: 400,
        code: 'ZKPAY_WRONG_REQUEST',
      })
    // the right x, a made-up root
    for (let k = 0; k < 100; k++)
      expect(await pay({ root: randomField() })).toMatchObject({ status: 402, code: 'ZKPAY_STALE_ROOT' })
    expect(await pay({ root, scope: pool.scope + 1n })).toMatchObject({ code: 'ZKPAY_WRONG_SCOPE' })
    const otherPool = { ...(await gate.requirements(url)).accepts[0]!, payTo: net().accounts[9]!.address }
    expect(await pay({ root }, { accepted: otherPool })).toMatchObject({ code: 'ZKPAY_WRONG_POOL' })
    // a one-time key's proof whose signature is junk
    const publicKey = `0x${randomBytes(32).toString('hex')}`
    const oneTimeKey = { version: 3, publicKey, signature: `0x${randomBytes(64).toString('hex')}` }
    expect(await pay({ root, x: oneTimeKeyX(publicKey) }, { oneTimeKey })).toMatchObject({
      status: 400,
      code: 'ZKPAY_WRONG_REQUEST',
    })
    expect(verify).not.toHaveBeenCalled()
    expect(gate.stats().pairings).toBe(0)
  }, 120_000)

  it('made-up roots cost no RPC call: 500 of them are answered from the root view the pool events feed', async () => {
    const { pool, gate, rpc, clock, pay, tick } = await setup('rpc')
    await devnetClient(net(), pool, 1, 2n, dir)
    tick()
    expect(await pay({ root: randomField() })).toMatchObject({ code: 'ZKPAY_STALE_ROOT' }) // the view is built
    const before = rpc.count
    for (let k = 0; k < 500; k++) expect(await pay({ root: randomField() })).toMatchObject({ code: 'ZKPAY_STALE_ROOT' })
    expect(rpc.count - before).toBe(0)
    // the view is refreshed on the clock, not per request: one look at the head once rootRecheckMs passed
    clock.t += 250
    for (let k = 0; k < 100; k++) await pay({ root: randomField() })
    expect(rpc.count - before).toBeGreaterThanOrEqual(1)
    expect(rpc.count - before).toBeLessThanOrEqual(2)
    expect(gate.stats().pairings).toBe(0)
  }, 120_000)

  it('a root view that aged is refreshed once the call is answered, not beside its pairing check', async () => {
    const { pool, fromBlock, gate, rpc, tick } = await setup('idle')
    const duringCall: number[] = []
    const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
      fromBlock,
      fetch: (u, init) =>
        gate.fetch(new Request(u, init), async (req, ctx) => {
          duringCall.push(rpc.count)
          return handler(req, ctx)
        }),
    })
    tick() // the deposit is newer than the gate's view
    expect((await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })).status).toBe(200)
    const refreshes = gate.stats().rootRefreshes
    const before = rpc.count
    tick() // the view is stale now: the current root is still accepted, and a refresh is due
    expect((await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })).status).toBe(200)
    // nothing was asked of the chain while the call was served
    expect(duringCall[1]).toBe(before)
    // once it was answered, one refresh
    await vi.waitFor(() => expect(gate.stats().rootRefreshes).toBe(refreshes + 1))
    expect(rpc.count).toBeGreaterThan(before)
  }, 120_000)

  it('a verification queue past its bound sheds payments with 503 + Retry-After (ZKPAY_OVERLOADED), and honest calls still pass', async () => {
    const { pool, fromBlock, gate, verify, pay, currentRoot, tick } = await setup('queue', {
      maxPendingVerifications: 4,
      retryAfterSeconds: 2,
    })
    const { client } = await devnetClient(net(), pool, 1, 2n, dir, {
      fromBlock,
      fetch: (u, init) => gate.fetch(new Request(u, init), handler),
    })
    const root = await currentRoot()
    tick()
    expect(await pay({ root })).toMatchObject({ code: 'ZKPAY_INVALID_PROOF' }) // the gate's view is fresh
    verify.mockClear()
    // junk that passes every cheap check (this request's x, a known root, fresh nullifiers, points on the curve)
    const flood = await Promise.all(Array.from({ length: 40 }, () => pay({ root })))
    const shed = flood.filter((r) => r.status === 503)
    expect(shed).toHaveLength(36)
    for (const r of shed) expect(r).toMatchObject({ code: 'ZKPAY_OVERLOADED', headers: { 'retry-after': '2' } })
    expect(flood.filter((r) => r.code === 'ZKPAY_INVALID_PROOF')).toHaveLength(4)
    // pairings: the 4 let in, and the warm-up payment before the flood
    expect(gate.stats()).toMatchObject({ highWaterVerifications: 4, shed: 36, pairings: 5, pendingVerifications: 0 })
    expect(verify).toHaveBeenCalledTimes(4)
    const res = await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })
    expect(res.status).toBe(200)
  }, 120_000)

  it('a predicted next root refused as unknown is accepted once the gate sees the next block; the honest client pays with its same ticket', async () => {
    const { pool, fromBlock, gate, store, events, clock, pay, verify, tick } = await setup('predicted')
    const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
      fromBlock,
      fetch: (u, init) => gate.fetch(new Request(u, init), handler),
    })
    tick()
    // the attacker sees a deposit pending and computes the root it will make
    const predict = async () => {
      const pending = prepareDeposit(ZkIdentity.random(), 2n)
      const { tree } = await syncTree(net().publicClient, pool.address, { fromBlock })
      tree.insert(pending.leaf)
      return { leaf: pending.leaf, root: tree.root }
    }
    const next = await predict()
    expect(await pay({ root: next.root })).toMatchObject({ code: 'ZKPAY_STALE_ROOT' })
    await depositToPool(net().publicClient, net().walletFor(net().accounts[2]!), pool, next.leaf, 2n)
    // the honest client proves against the new root at once; the gate, not past its recheck, refuses
    // it as stale; the client proves the same ticket (same x) against the root before and is served
    const res = await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(res.ticket).toBe(0)
    expect(client.remainingTickets()).toBe(2)
    expect(await store.count()).toBe(1)
    expect(events.filter((e) => e.kind === 'rejected' && e.code === 'ZKPAY_STALE_ROOT')).toHaveLength(2)
    // once the gate looks again it knows the new root: the "unknown" was not kept
    clock.t += 250
    verify.mockClear()
    expect(await pay({ root: next.root })).toMatchObject({ code: 'ZKPAY_INVALID_PROOF' })
    expect(verify).toHaveBeenCalledTimes(1)
  }, 180_000)

  it('a precomputed proof refused for a stale root is proved again for the same ticket and one-time key, not a new ticket', async () => {
    const { pool, fromBlock, gate, store, events, pay, tick } = await setup('precomputed-stale')
    const paid: { publicKey: string; nullifier: string; root: string }[] = []
    const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
      fromBlock,
      fetch: (u, init) => {
        const request = new Request(u, init)
        const h = request.headers.get(HEADER_SIGNATURE)
        if (h) {
          const p = JSON.parse(Buffer.from(h, 'base64').toString()) as {
            payload: { publicSignals: string[]; oneTimeKey: { publicKey: string } }
          }
          const [, nullifier, root] = p.payload.publicSignals as [string, string, string]
          paid.push({ publicKey: p.payload.oneTimeKey.publicKey, nullifier, root })
        }
        return gate.fetch(request, handler)
      },
    })
    tick()
    expect(await pay({ root: randomField() })).toMatchObject({ code: 'ZKPAY_STALE_ROOT' }) // the gate's view: this root
    // a deposit the gate has not looked at yet moves the root; the client proves ahead against the new one
    await devnetClient(net(), pool, 2, 2n, dir)
    await client.precompute(`http://gateway.example${url}`, 1)
    await client.precompute(`http://gateway.example${url}`, 0)
    const res = await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })
    expect(res.status).toBe(200)
    expect(res.ticket).toBe(0)
    expect(client.remainingTickets()).toBe(2) // one ticket reserved and spent: the retry reused it
    expect(await store.count()).toBe(1)
    expect(events.filter((e) => e.kind === 'rejected' && e.code === 'ZKPAY_STALE_ROOT')).toHaveLength(2)
    // two payments: the same key and nullifier (the same ticket, the same x), another root
    expect(paid).toHaveLength(2)
    expect(paid[1]).toMatchObject({ publicKey: paid[0]!.publicKey, nullifier: paid[0]!.nullifier })
    expect(paid[1]!.root).not.toBe(paid[0]!.root)
  }, 180_000)

  it('a replaced root past the window is refused even within the cache TTL (rootCacheMs 1 h)', async () => {
    const { pool, pay, clock, currentRoot, tick } = await setup('window', { rootCacheMs: 3_600_000 })
    await devnetClient(net(), pool, 1, 2n, dir)
    const old = await currentRoot()
    await devnetClient(net(), pool, 2, 2n, dir)
    const current = await currentRoot()
    // inside the window the old root passes the root check (and the junk proof then fails)
    tick()
    expect(await pay({ root: old })).toMatchObject({ code: 'ZKPAY_INVALID_PROOF' })
    clock.t += (Number(pool.rootWindow) + 1) * 1000
    expect(await pay({ root: old })).toMatchObject({ code: 'ZKPAY_STALE_ROOT' })
    expect(await pay({ root: current })).toMatchObject({ code: 'ZKPAY_INVALID_PROOF' })
  }, 120_000)

  it('preverify: a spent ticket is refused without a pairing check, the first verified proof keeps its slot, and each connection is rate-limited', async () => {
    const { pool, fromBlock, gate, verify, tick } = await setup('preverify', {
      preverify: { perConnection: { burst: 3, perSecond: 1 } },
    })
    const ahead: string[] = []
    const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
      fromBlock,
      preverify: true,
      fetch: (u, init) => {
        const request = new Request(u, init)
        const h = request.headers.get(HEADER_PREVERIFY)
        if (h) ahead.push(h)
        return gate.fetch(request, handler)
      },
    })
    tick()
    await client.precompute(`http://gateway.example${url}`, 1)
    await client.precompute(`http://gateway.example${url}`, 0)
    expect(ahead).toHaveLength(1)
    expect(verify).toHaveBeenCalledTimes(1)
    const sendAhead = async (header: string, connection?: object) => {
      const out = await gate.process(
        { method: 'POST', url, headers: { [HEADER_PREVERIFY]: header }, ...(connection ? { connection } : {}) },
        Buffer.alloc(0),
        handler,
      )
      const text = new TextDecoder().decode(out.body)
      return { status: out.status, code: text ? (JSON.parse(text) as { error: { code: string } }).error.code : '' }
    }
    // the same proof again: 204, no second pairing check
    expect(await sendAhead(ahead[0]!)).toEqual({ status: 204, code: '' })
    expect((await client.fetch(`http://gateway.example${url}`, { method: 'POST', body })).status).toBe(200)
    // the ticket is spent now: sent ahead again, it is refused before any pairing check
    expect(await sendAhead(ahead[0]!)).toEqual({ status: 410, code: 'ZKPAY_TICKET_CONSUMED' })
    expect(verify).toHaveBeenCalledTimes(1)
    // one connection sends at most `burst` proofs ahead, then waits (429 + Retry-After); another is not held up
    const conn = {}
    for (let k = 0; k < 3; k++) expect((await sendAhead(ahead[0]!, conn)).status).toBe(410)
    const limited = await gate.process(
      { method: 'POST', url, headers: { [HEADER_PREVERIFY]: ahead[0]! }, connection: conn },
      Buffer.alloc(0),
      handler,
    )
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '1'])
    expect((await sendAhead(ahead[0]!, {})).status).toBe(410)
    expect(verify).toHaveBeenCalledTimes(1)
  }, 180_000)
})

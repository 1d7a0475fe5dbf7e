/**
 * What a paid call looks like on the wire, measured on the socket (not as a framework parses it),
 * with the client's default transport: Node's own fetch.
 *
 * The rule: a request from the client carries exactly the headers Node's fetch sends for any
 * request of the same shape — the same names, order and values (`user-agent: node`, with no
 * version, is what every Node fetch sends) — except `connection: close` for `keep-alive`, plus the
 * payment header (PAYMENT-SIGNATURE, or PAYMENT-PREVERIFY for a proof sent ahead). No cookie, no
 * auth, no per-client id; and no two requests of the client share a TCP connection, since a shared
 * connection would tell the server two calls came from one caller.
 */
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import type { ZkPayClient } from './client.ts'
import { HEADER_PREVERIFY, HEADER_SIGNATURE } from './protocol.ts'
import type { PoolInfo } from './pool.ts'
import type { PaidHandler } from './server.ts'
import { devnetClient, devnetGate, devnetPool, type ClientExtra, type DevnetGate } from './testing/index.ts'
import { selfSignedCert, startWireServer, wireHeader, type WireRequest, type WireServer } from './testing/wire.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-wire-'))
const handler: PaidHandler = async () => ({ headers: { 'content-type': 'text/plain' }, body: 'ok' })
const BODY = 'hello'
/** Headers that would identify a caller or tie two calls together; none may appear. */
const IDENTIFYING = ['cookie', 'authorization', 'proxy-authorization', 'x-request-id', 'x-client-id', 'forwarded']

let pool: PoolInfo
let fromBlock: bigint
let gate: DevnetGate
let preverifyGate: DevnetGate
/** What a bare fetch() of this Node sends, for each request shape the client makes. */
const baseline: { post: WireRequest; get: WireRequest; emptyPost: WireRequest } = {} as never
const servers: WireServer[] = []

async function wireServer(g: DevnetGate, tls?: { key: string; cert: string }): Promise<WireServer> {
  const s = await startWireServer((req, res) => void g.gate.handle(req, res, handler), tls ? { tls } : {})
  servers.push(s)
  return s
}

async function client(index: number, tickets: bigint, extra: ClientExtra = {}): Promise<ZkPayClient> {
  return (await devnetClient(net(), pool, index, tickets, dir, { fromBlock, ...extra })).client
}

/** A paid POST of BODY, read to the end as a caller would (an unread body holds its connection). */
async function call(c: ZkPayClient, url: string): Promise<void> {
  const res = await c.fetch(url, { method: 'POST', body: BODY })
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('ok')
  await new Promise((r) => setTimeout(r, 100)) // a caller does other things between calls
}

/** Proves `count` tickets ahead and stops there (no background proving after the calls). */
async function precomputeExactly(c: ZkPayClient, url: string, count: number) {
  await c.precompute(url, count)
  await c.precompute(url, 0)
  expect(c.readyProofs()).toBe(count)
}

const normalized = (r: WireRequest, drop: string[] = []) =>
  r.headers.filter(([n]) => !drop.includes(n.toLowerCase())).map(([n, v]) => [n, n === 'host' ? '<host>' : v])

/** `request` is what a bare fetch sends (`fetchSent`), with `connection: close`, plus exactly the `payment` headers. */
function expectFetchDefaultsPlus(request: WireRequest, fetchSent: WireRequest, payment: string[]) {
  const expected = normalized(fetchSent).map(([n, v]) => [n, n === 'connection' ? 'close' : v])
  expect(normalized(request, payment)).toEqual(expected)
  const names = request.headers.map(([n]) => n.toLowerCase())
  for (const p of payment) expect(names.filter((n) => n === p)).toHaveLength(1)
  for (const n of IDENTIFYING) expect(names).not.toContain(n)
}

/** The decoded payment header as `path = value` lines. */
function flatten(request: WireRequest): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k)
    else out.set(path, JSON.stringify(v))
  }
  walk(JSON.parse(Buffer.from(wireHeader(request, HEADER_SIGNATURE)!, 'base64').toString()), '')
  return out
}
const sharedPaths = (a: Map<string, string>, b: Map<string, string>) =>
  [...a.keys()].filter((k) => a.get(k) === b.get(k)).sort()
/** What any two calls to this pool share, whoever makes them: the requirements, the root, the scope. */
const POOL_WIDE = (path: string) =>
  path === 'x402Version' ||
  path.startsWith('accepted.') ||
  path === 'payload.publicSignals.2' || // root
  path === 'payload.publicSignals.3' || // scope
  path === 'payload.oneTimeKey.version' // the signed string's version, the same for every client

/** The header names a bare Node fetch POST sends, in its order. */
const FETCH_POST_HEADERS = [
  'host',
  'connection',
  'content-type',
  'accept',
  'accept-language',
  'sec-fetch-mode',
  'user-agent',
  'accept-encoding',
  'content-length',
]

const unique = (xs: number[]) => new Set(xs).size
const paid = (s: WireServer) => s.requests.filter((r) => wireHeader(r, HEADER_SIGNATURE) !== undefined)
const portsOf = (s: WireServer, rs: WireRequest[]) => rs.map((r) => s.connections[r.connection - 1]!.remotePort)

beforeAll(async () => {
  ;({ pool, fromBlock } = await devnetPool(net()))
  gate = devnetGate(net(), pool, { dbPath: join(dir, 'nullifiers.sqlite'), fromBlock, workers: 1 })
  preverifyGate = devnetGate(net(), pool, {
    dbPath: join(dir, 'preverify.sqlite'),
    fromBlock,
    workers: 1,
    preverify: true,
  })
  // a bare fetch of each shape, to a server of its own (its own connection pool)
  const bare = await startWireServer((_req, res) => res.end('ok'))
  servers.push(bare)
  await (await fetch(`${bare.url}/v1/chat`, { method: 'POST', body: BODY })).text()
  await (await fetch(`${bare.url}/v1/chat`, { method: 'GET' })).text()
  await (await fetch(`${bare.url}/v1/chat`, { method: 'POST' })).text()
  ;[baseline.post, baseline.get, baseline.emptyPost] = bare.requests as [WireRequest, WireRequest, WireRequest]
}, 60_000)

afterAll(async () => {
  for (const s of servers) await s.close()
  await gate?.close()
  await preverifyGate?.close()
  await terminateProver()
})

describe('paid calls on the wire (raw bytes at the socket, default fetch)', () => {
  let plain: WireServer
  let precomputed: WireServer
  let ahead: WireServer

  beforeAll(async () => {
    // plain path: client A calls twice, client B once (B deposits first: all three prove against one root)
    plain = await wireServer(gate)
    const b = await client(2, 2n)
    const a = await client(1, 3n)
    for (const c of [a, a, b]) await call(c, `${plain.url}/v1/chat`)
    // precomputed path: two proofs made ahead, two calls that only sign
    precomputed = await wireServer(gate)
    const p = await client(3, 3n)
    await precomputeExactly(p, `${precomputed.url}/v1/chat`, 2)
    for (let i = 0; i < 2; i++) await call(p, `${precomputed.url}/v1/chat`)
    // preverify: the same, and each proof is sent ahead on its own request
    ahead = await wireServer(preverifyGate)
    const v = await client(4, 3n, { preverify: true })
    await precomputeExactly(v, `${ahead.url}/v1/chat`, 2)
    for (let i = 0; i < 2; i++) await call(v, `${ahead.url}/v1/chat`)
    expect(preverifyGate.events.filter((e) => e.kind === 'preverified')).toHaveLength(2)
  }, 240_000)

  it("a paid call sends only a bare Node fetch's headers (connection: close) plus PAYMENT-SIGNATURE: no cookie, auth, versioned user-agent or id", () => {
    expect(baseline.post.headers.map(([n]) => n)).toEqual(FETCH_POST_HEADERS)
    // the same for every Node fetch of a release: no version, nothing about this client
    expect(wireHeader(baseline.post, 'user-agent')).toMatch(/^(node|undici)$/)
    // 402 probe, paid retry, for each of the three calls
    expect(plain.requests.map((r) => [r.method, r.target, wireHeader(r, HEADER_SIGNATURE) !== undefined])).toEqual([
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
    ])
    for (const r of plain.requests)
      expectFetchDefaultsPlus(r, baseline.post, wireHeader(r, HEADER_SIGNATURE) ? [HEADER_SIGNATURE] : [])
    // the payment header goes in right after connection
    expect(paid(plain)[0]!.headers.map(([n]) => n)).toEqual([
      ...FETCH_POST_HEADERS.slice(0, 2),
      'payment-signature',
      ...FETCH_POST_HEADERS.slice(2),
    ])
    expect(wireHeader(paid(plain)[0]!, 'connection')).toBe('close')
  })

  it('a call paid with a precomputed proof sends the same: bare-fetch headers plus PAYMENT-SIGNATURE, and no 402 probe', () => {
    expect(precomputed.requests.map((r) => [r.method, wireHeader(r, HEADER_SIGNATURE) !== undefined])).toEqual([
      ['GET', false], // precompute(): learns the requirements from a 402
      ['POST', true],
      ['POST', true],
    ])
    expectFetchDefaultsPlus(precomputed.requests[0]!, baseline.get, [])
    for (const r of paid(precomputed)) expectFetchDefaultsPlus(r, baseline.post, [HEADER_SIGNATURE])
  })

  it('preverify: a proof sent ahead carries bare-fetch headers plus PAYMENT-PREVERIFY only; its call, plus PAYMENT-SIGNATURE only', () => {
    expect(
      ahead.requests.map((r) => [
        r.method,
        wireHeader(r, HEADER_PREVERIFY) !== undefined,
        wireHeader(r, HEADER_SIGNATURE) !== undefined,
      ]),
    ).toEqual([
      ['GET', false, false],
      ['POST', true, false],
      ['POST', true, false],
      ['POST', false, true],
      ['POST', false, true],
    ])
    expectFetchDefaultsPlus(ahead.requests[0]!, baseline.get, [])
    for (const r of ahead.requests.slice(1, 3)) expectFetchDefaultsPlus(r, baseline.emptyPost, [HEADER_PREVERIFY])
    for (const r of paid(ahead)) expectFetchDefaultsPlus(r, baseline.post, [HEADER_SIGNATURE])
  })

  it('no two requests of a client share a TCP connection (each arrives on its own socket and source port), on every path', () => {
    for (const s of [plain, precomputed, ahead]) {
      const connections = s.requests.map((r) => r.connection)
      expect(unique(connections)).toBe(s.requests.length)
      expect(unique(portsOf(s, s.requests))).toBe(s.requests.length)
      expect(s.connections).toHaveLength(s.requests.length)
    }
  })

  it('two paid calls of one client share no header value or payment field that a call of another client does not also share', () => {
    const [a1, a2, b1] = paid(plain) as [WireRequest, WireRequest, WireRequest]
    const strip = (r: WireRequest) => normalized(r, [HEADER_SIGNATURE])
    expect(strip(a1)).toEqual(strip(a2))
    expect(strip(a1)).toEqual(strip(b1))
    const [fa1, fa2, fb1] = [flatten(a1), flatten(a2), flatten(b1)]
    const sameClient = sharedPaths(fa1, fa2)
    expect(sameClient).toEqual(sharedPaths(fa1, fb1))
    // what they share is the pool's, plus x: the hash of this very request (same method, path and body)
    expect(sameClient.filter((p) => !POOL_WIDE(p))).toEqual(['payload.publicSignals.4'])
    // with precomputed proofs even x differs (a fresh one-time key per proof)
    const [p1, p2] = paid(precomputed).map(flatten) as [Map<string, string>, Map<string, string>]
    expect(sharedPaths(p1, p2).filter((p) => !POOL_WIDE(p))).toEqual([])
    expect(sharedPaths(p1, p2).length).toBeGreaterThan(0)
  })
})

/** The `Agent` class Node's fetch is built on (the `undici` package exports the same class). */
function undiciAgent(options: object): NonNullable<RequestInit['dispatcher']> {
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as object
  const Agent = global.constructor as new (options: object) => NonNullable<RequestInit['dispatcher']>
  expect(Agent.name).toBe('Agent')
  return new Agent(options)
}
/** The README's recipe: a transport of the client's own, no keep-alive, no TLS session cache. */
const ownTransport = () => {
  const dispatcher = undiciAgent({ pipelining: 0, connect: { maxCachedSessions: 0 } })
  return { fetch: ((url, init) => fetch(url, { ...init, dispatcher })) as typeof fetch, dispatcher }
}

describe('what the default transport cannot hide (measured; the README says so)', () => {
  it('limitation: a paid call can reuse an idle connection another fetch of the process left open to the origin; its own dispatcher does not', async () => {
    const s = await wireServer(gate)
    const own = ownTransport()
    const results: boolean[] = []
    for (const extra of [{}, { fetch: own.fetch }]) {
      const c = await client(results.length === 0 ? 7 : 8, 1n, extra)
      await precomputeExactly(c, `${s.url}/v1/chat`, 1)
      // some other part of the program, with its own identity, talks to the same origin
      await (await fetch(`${s.url}/account`, { headers: { authorization: 'Bearer someone' } })).text()
      await new Promise((r) => setTimeout(r, 100))
      await call(c, `${s.url}/v1/chat`)
      const identified = s.requests.findLast((r) => wireHeader(r, 'authorization'))!
      results.push(paid(s).at(-1)!.connection === identified.connection)
    }
    expect(results).toEqual([true, false]) // [default fetch: same socket, own dispatcher: a fresh one]
    await own.dispatcher.close()
  }, 120_000)

  it("limitation: over HTTPS Node's fetch resumes TLS sessions, which links a client's calls; a dispatcher without a session cache does not", async () => {
    const s = await wireServer(gate, selfSignedCert())
    const own = ownTransport()
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0' // trust the throwaway certificate, for the global dispatcher too
    try {
      const resumed: boolean[][] = []
      for (const extra of [{}, { fetch: own.fetch }]) {
        const c = await client(6, 2n, extra)
        const first = s.connections.length
        await precomputeExactly(c, `${s.url}/v1/chat`, 2)
        for (let i = 0; i < 2; i++) await call(c, `${s.url}/v1/chat`)
        const mine = s.connections.slice(first)
        expect(mine).toHaveLength(3) // still one connection per request
        resumed.push(mine.map((k) => k.tlsResumed!))
      }
      // [402 probe, call 1, call 2]: with the default fetch, call 2 presents the TLS session the server handed out
      // on call 1's connection (call 1 may resume the probe's too); with its own dispatcher no call resumes any
      expect(resumed[0]![2]).toBe(true)
      expect(resumed[1]).toEqual([false, false, false])
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous
      await own.dispatcher.close()
    }
  }, 180_000)
})

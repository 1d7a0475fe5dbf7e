/**
 * What a paid call looks like on the wire, measured on the socket (not as a framework parses it),
 * with the client's default transport, `oneUseFetch`.
 *
 * The rule: a request from the client carries `host`, the headers its caller gave (none here), the
 * payment header (PAYMENT-SIGNATURE, or PAYMENT-PREVERIFY for a proof sent ahead), `content-length`
 * when it has a body, and `connection: close`, in that order: no user agent, no accept headers, no
 * cookie, no auth, no per-client id, the same for every client whatever its Node release. No two
 * requests of the client share a TCP connection, and none resumes a TLS session: either would tell
 * the server two calls came from one caller.
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

/** `request` carries exactly these headers, in this order, with a true content-length and `connection: close`. */
function expectExactly(request: WireRequest, names: string[]) {
  expect(request.headers.map(([n]) => n)).toEqual(names)
  expect(wireHeader(request, 'connection')).toBe('close')
  if (names.includes('content-length')) expect(wireHeader(request, 'content-length')).toBe(String(request.body.length))
  for (const n of IDENTIFYING) expect(names).not.toContain(n)
}
/** The header lists of each request shape the client makes. */
const SENT = {
  post: ['host', 'content-length', 'connection'],
  paid: ['host', 'payment-signature', 'content-length', 'connection'],
  get: ['host', 'connection'],
  ahead: ['host', 'payment-preverify', 'content-length', 'connection'],
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
}, 60_000)

afterAll(async () => {
  for (const s of servers) await s.close()
  await gate?.close()
  await preverifyGate?.close()
  await terminateProver()
})

describe('paid calls on the wire (raw bytes at the socket, the default transport)', () => {
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

  it('a paid call sends host, PAYMENT-SIGNATURE, content-length and connection: close, nothing else: no user agent, cookie, auth or id', () => {
    // 402 probe, paid retry, for each of the three calls
    expect(plain.requests.map((r) => [r.method, r.target, wireHeader(r, HEADER_SIGNATURE) !== undefined])).toEqual([
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
      ['POST', '/v1/chat', false],
      ['POST', '/v1/chat', true],
    ])
    for (const r of plain.requests) expectExactly(r, wireHeader(r, HEADER_SIGNATURE) ? SENT.paid : SENT.post)
  })

  it('a call paid with a precomputed proof sends the same headers, and no 402 probe', () => {
    expect(precomputed.requests.map((r) => [r.method, wireHeader(r, HEADER_SIGNATURE) !== undefined])).toEqual([
      ['GET', false], // precompute(): learns the requirements from a 402
      ['POST', true],
      ['POST', true],
    ])
    expectExactly(precomputed.requests[0]!, SENT.get)
    for (const r of paid(precomputed)) expectExactly(r, SENT.paid)
  })

  it('preverify: a proof sent ahead carries PAYMENT-PREVERIFY and no body; its call, PAYMENT-SIGNATURE: the same headers otherwise', () => {
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
    expectExactly(ahead.requests[0]!, SENT.get)
    for (const r of ahead.requests.slice(1, 3)) {
      expectExactly(r, SENT.ahead)
      expect(r.body.length).toBe(0)
    }
    for (const r of paid(ahead)) expectExactly(r, SENT.paid)
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
/** Node's own fetch as the transport, with `connection: close` on every request (Hermit's default before oneUseFetch). */
const nodeFetch = ((url, init = {}) => {
  const headers = new Headers(init.headers)
  headers.set('connection', 'close')
  return fetch(url, { ...init, headers })
}) as typeof fetch
/** The README's recipe for a fetch of your own: no keep-alive, no TLS session cache. */
const ownTransport = () => {
  const dispatcher = undiciAgent({ pipelining: 0, connect: { maxCachedSessions: 0 } })
  return { fetch: ((url, init) => fetch(url, { ...init, dispatcher })) as typeof fetch, dispatcher }
}

describe("what the default transport hides and Node's fetch does not (measured; the README says so)", () => {
  it("a paid call never goes down an idle connection another fetch of the process left open to the origin; with Node's fetch it does", async () => {
    const s = await wireServer(gate)
    const own = ownTransport()
    const results: boolean[] = []
    for (const extra of [{ fetch: nodeFetch }, { fetch: own.fetch }, {}]) {
      const c = await client(7 + results.length, 1n, extra)
      await precomputeExactly(c, `${s.url}/v1/chat`, 1)
      // some other part of the program, with its own identity, talks to the same origin
      await (await fetch(`${s.url}/account`, { headers: { authorization: 'Bearer someone' } })).text()
      await new Promise((r) => setTimeout(r, 100))
      await call(c, `${s.url}/v1/chat`)
      const identified = s.requests.findLast((r) => wireHeader(r, 'authorization'))!
      results.push(paid(s).at(-1)!.connection === identified.connection)
    }
    // [Node's fetch: the same socket; a dispatcher of its own, and the default: a fresh one]
    expect(results).toEqual([true, false, false])
    await own.dispatcher.close()
  }, 180_000)

  it("over HTTPS no call resumes a TLS session; Node's fetch resumes them, which links a client's calls", async () => {
    const s = await wireServer(gate, selfSignedCert())
    const own = ownTransport()
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0' // trust the throwaway certificate, for the global dispatcher too
    try {
      const resumed: boolean[][] = []
      for (const extra of [{ fetch: nodeFetch }, { fetch: own.fetch }, {}]) {
        const c = await client(6, 3n, extra)
        const first = s.connections.length
        await precomputeExactly(c, `${s.url}/v1/chat`, 3)
        for (let i = 0; i < 3; i++) await call(c, `${s.url}/v1/chat`)
        const mine = s.connections.slice(first)
        expect(mine).toHaveLength(4) // one connection per request
        resumed.push(mine.map((k) => k.tlsResumed!))
      }
      // [402 probe, call 1, call 2, call 3]: with Node's fetch, a call presents a TLS session the server
      // handed out on an earlier connection. Which call does depends on when the session ticket reached
      // the client before its connection closed (under load one can miss it), so: at least one of them.
      // With its own dispatcher, or the default, none does
      expect(resumed[0]!.slice(1)).toContain(true)
      expect(resumed[1]).toEqual([false, false, false, false])
      expect(resumed[2]).toEqual([false, false, false, false])
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous
      await own.dispatcher.close()
    }
  }, 240_000)
})

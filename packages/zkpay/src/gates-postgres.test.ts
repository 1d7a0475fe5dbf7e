import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { creditPoolAbi } from '@hermit/contracts'
import { proveCredit, terminateProver, toSolidityCalldata, type CreditTree } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { readDeposit, type PoolInfo } from './pool.ts'
import {
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  HEADER_SIGNATURE,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  paymentResponseSchema,
  requestBinding,
} from './protocol.ts'
import { PostgresNullifierStore } from './store-postgres.ts'
import { syncTree } from './sync.ts'
import { devnetDepositor, devnetPool, type Depositor } from './testing/index.ts'
import { startPostgres, type PostgresServer } from './testing/postgres.ts'

// Two gateway processes on one PostgreSQL database, as behind a load balancer: the nullifier set
// they share is what keeps a ticket from being spent once per gateway.
const root = fileURLToPath(new URL('../../..', import.meta.url))
const gateScript = fileURLToPath(new URL('./testing/gate-process.ts', import.meta.url))
const net = useDevnet()
let postgres: PostgresServer
let dbUrl: string
let pool: PoolInfo
let fromBlock: bigint
let honest: Depositor
let cheater: Depositor
let tree: CreditTree
let accepted: unknown

type Gate = {
  child: ChildProcess
  url: string
  exited: Promise<void>
  lines: string[]
  next(key: string): Promise<unknown>
}

/** A gate process; resolves once it listens. `next(key)` waits for its next stdout line holding `key`. */
async function startGate(slasherIndex: number): Promise<Gate> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      gateScript,
      net().rpcUrl,
      String(net().chainId),
      pool.address,
      String(fromBlock),
      dbUrl,
      String(slasherIndex),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const lines: string[] = []
  const waiters: { key: string; resolve: (v: unknown) => void }[] = []
  let buffer = ''
  child.stdout!.on('data', (c) => {
    buffer += c
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, i)) as Record<string, unknown>
      buffer = buffer.slice(i + 1)
      lines.push(JSON.stringify(line))
      const w = waiters.findIndex((x) => x.key in line)
      if (w >= 0) {
        const [waiter] = waiters.splice(w, 1)
        waiter!.resolve(line[waiter!.key])
      }
    }
  })
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  const next = (key: string) => new Promise<unknown>((resolve) => waiters.push({ key, resolve }))
  const port = await Promise.race([
    next('port'),
    exited.then(() => {
      throw new Error(`gate exited: ${stderr}`)
    }),
  ])
  return { child, url: `http://127.0.0.1:${port}`, exited, lines, next }
}

let gates: Gate[] = []
beforeAll(async () => {
  postgres = await startPostgres()
  const admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  await admin.query('CREATE DATABASE gates')
  await admin.end()
  dbUrl = postgres.url.replace(/\/postgres$/, '/gates')
  ;({ pool, fromBlock } = await devnetPool(net()))
  const dir = mkdtempSync(join(tmpdir(), 'hermit-gates-'))
  honest = await devnetDepositor(net(), pool, 1, 8n, dir)
  cheater = await devnetDepositor(net(), pool, 2, 2n, dir)
  ;({ tree } = (await syncTree(net().publicClient, pool.address, { fromBlock })) as { tree: CreditTree })
  // providers' two gateways, each slashing with its own account
  gates = await Promise.all([startGate(5), startGate(6)])
  const bare = await fetch(`${gates[0]!.url}/x`)
  accepted = decodeHeader(paymentRequiredSchema, bare.headers.get(HEADER_REQUIRED) ?? undefined, 'PAYMENT-REQUIRED')
    .accepts[0]
}, 600_000)
afterAll(async () => {
  for (const g of gates) g.child.kill('SIGKILL')
  await Promise.all(gates.map((g) => g.exited))
  await postgres?.stop()
  await terminateProver()
})

/** PAYMENT-SIGNATURE for ticket `i` of `who`, bound to GET `path`. */
async function pay(who: Depositor, tickets: bigint, i: number, path: string): Promise<string> {
  const x = requestBinding('GET', path)
  const proved = await proveCredit({ sk: who.secret, n: tickets, i: BigInt(i), tree, scope: pool.scope, x })
  const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
  return encodeHeader({
    x402Version: 2,
    accepted,
    payload: { proof: { a: cd.a, b: cd.b, c: cd.c }, publicSignals: cd.pub },
  })
}

type Answer = { status: number; body: string; code?: string; payment?: { status: string; nullifier: string } }
async function send(gate: Gate, path: string, header: string): Promise<Answer> {
  const res = await fetch(`${gate.url}${path}`, { headers: { [HEADER_SIGNATURE]: header } })
  const body = await res.text()
  const h = res.headers.get(HEADER_RESPONSE)
  const p = h ? decodeHeader(paymentResponseSchema, h, 'PAYMENT-RESPONSE') : undefined
  return {
    status: res.status,
    body,
    ...(res.status === 200 ? {} : { code: (JSON.parse(body) as { error: { code: string } }).error.code }),
    ...(p?.success ? { payment: { status: p.status, nullifier: p.nullifier } } : {}),
  }
}

describe('two gateway processes on one PostgreSQL nullifier set', () => {
  it('64 concurrent calls, some reusing one ticket for other requests: exactly one served, the cheater slashed once, honest retries replayed', async () => {
    // 4 honest tickets, each call sent 12 times (retries); one cheating ticket spent on 4 requests, each sent 4 times
    const honestPaths = [0, 1, 2, 3].map((i) => `/honest/${i}`)
    const cheatPaths = [0, 1, 2, 3].map((k) => `/cheat/${k}`)
    const [honestHeaders, cheatHeaders] = await Promise.all([
      Promise.all(honestPaths.map((p, i) => pay(honest, 8n, i, p))),
      Promise.all(cheatPaths.map((p) => pay(cheater, 2n, 0, p))),
    ])
    const calls = [
      ...honestPaths.flatMap((p, i) => Array.from({ length: 12 }, () => ({ path: p, header: honestHeaders[i]! }))),
      ...cheatPaths.flatMap((p, k) => Array.from({ length: 4 }, () => ({ path: p, header: cheatHeaders[k]! }))),
    ]
    expect(calls).toHaveLength(64)
    // round-robin over the two gateways, all at once
    const answers = await Promise.all(calls.map((c, k) => send(gates[k % 2]!, c.path, c.header)))
    // a retry that met its first call still running (409) asks again, now that every call has been answered
    const final = await Promise.all(
      answers.map((a, k) =>
        a.code === 'ZKPAY_IN_PROGRESS' ? send(gates[(k + 1) % 2]!, calls[k]!.path, calls[k]!.header) : a,
      ),
    )
    const byPath = (p: string) => final.filter((_, k) => calls[k]!.path === p)
    for (const p of honestPaths) {
      const got = byPath(p)
      expect(got.map((a) => a.status)).toEqual(Array(12).fill(200))
      expect(got.filter((a) => a.payment?.status === 'new')).toHaveLength(1)
      expect(got.filter((a) => a.payment?.status === 'replay')).toHaveLength(11)
      expect(new Set(got.map((a) => a.body))).toEqual(new Set([`served ${p}`]))
    }
    const served = cheatPaths.filter((p) => byPath(p).some((a) => a.status === 200))
    expect(served).toHaveLength(1)
    expect(byPath(served[0]!).every((a) => a.status === 200)).toBe(true)
    expect(byPath(served[0]!).filter((a) => a.payment?.status === 'new')).toHaveLength(1)
    for (const p of cheatPaths.filter((q) => q !== served[0]))
      expect(byPath(p).map((a) => a.code)).toEqual(Array(4).fill('ZKPAY_DOUBLE_SPEND'))
    // slashed once, on-chain, whichever gateway (or both) caught it
    expect((await readDeposit(net().publicClient, pool.address, cheater.leafIndex)).status).toBe('slashed')
    const slashed = await net().publicClient.getContractEvents({
      address: pool.address,
      abi: creditPoolAbi,
      eventName: 'Slashed',
      fromBlock,
    })
    expect(slashed).toHaveLength(1)
    const store = await PostgresNullifierStore.open(dbUrl, { secretsPassword: 'devnet test password', scryptN: 1024 })
    expect(await store.count()).toBe(5)
    expect(await store.pendingSlashes()).toEqual([])
    await store.close()
  }, 300_000)

  it('kill -9 of a gateway mid-call, then a restart of PostgreSQL: no recorded nullifier is lost', async () => {
    const header = await pay(honest, 8n, 7, '/hang')
    const [a, b] = gates as [Gate, Gate]
    void send(a, '/hang', header).catch(() => {}) // its gateway dies before answering
    const nullifier = await a.next('handling')
    a.child.kill('SIGKILL')
    await a.exited
    // the other gateway knows the ticket is claimed: the call is in progress, not paid again
    expect((await send(b, '/hang', header)).code).toBe('ZKPAY_IN_PROGRESS')
    await postgres.restart()
    expect((await send(b, '/hang', header)).code).toBe('ZKPAY_IN_PROGRESS')
    const store = await PostgresNullifierStore.open(dbUrl)
    expect(await store.peek(pool.scope, BigInt(nullifier as string))).not.toBeNull()
    await store.close()
    // a new gateway process, started after both, sees it too
    gates[0] = await startGate(5)
    expect((await send(gates[0], '/hang', header)).code).toBe('ZKPAY_IN_PROGRESS')
  }, 300_000)
})

/**
 * The nullifier store: claim latency on PostgreSQL (a server on 127.0.0.1) against embedded SQLite,
 * and paid calls per second through one gate process on SQLite against two gate processes sharing
 * one PostgreSQL database (calls spread over both, as a load balancer would). The calls carry proofs
 * made beforehand, the same ones for both setups (each setup has a fresh store, so every nullifier
 * is new to it): what is measured is the gates (verification, claim, answer), not the prover.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { proveCredit, terminateProver, toSolidityCalldata, type CreditTree } from '@hermit/circuits'
import { startDevnet } from '@hermit/devnet'
import {
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  PostgresNullifierStore,
  SqliteNullifierStore,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  requestBinding,
  syncTree,
  type NullifierStore,
} from '@hermit/zkpay'
import { devnetDepositor, devnetPool, gateProcessScript, startPostgres } from '@hermit/zkpay/testing'
import { iterations, summarize, timeOnce, type BenchFile, type BenchResult } from './lib.ts'

const CLAIMS = iterations(1_000, 100)
/** Paid calls per throughput run, all sent at once (each with its own ticket). */
const CALLS = iterations(64, 16)

async function claimTimes(store: NullifierStore): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < CLAIMS; i++)
    out.push(await timeOnce(() => store.claim({ scope: 1n, nullifier: BigInt(i), x: 7n, y: 9n, root: 5n })))
  await store.close()
  return out
}

async function startGate(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', gateProcessScript, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench gate exited (code ${code}) before it listened`)))
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    )
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}

export const bench: BenchFile = {
  title: 'Nullifier store: PostgreSQL against SQLite (claim latency, paid calls per second over 1 or 2 gates)',
  measures: ['packages/zkpay/src/store.ts', 'packages/zkpay/src/store-postgres.ts', 'packages/zkpay/src/server.ts'],
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = []
    const postgres = await startPostgres()
    const d = await startDevnet()
    try {
      const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-store-'))

      const sqlite = summarize(
        'claim, SQLite (embedded, WAL, synchronous=FULL)',
        'ms',
        await claimTimes(SqliteNullifierStore.open(join(dir, 'claims.sqlite'))),
      )
      results.push(sqlite)
      results.push(
        summarize(
          'claim, PostgreSQL on 127.0.0.1 (INSERT … ON CONFLICT DO NOTHING, one round trip)',
          'ms',
          await claimTimes(await PostgresNullifierStore.open(await postgres.createDatabase('claims'))),
          { baseline: { name: sqlite.name, median: sqlite.median, p95: sqlite.p95 } },
        ),
      )

      // proofs made ahead: one depositor, CALLS tickets, each bound to its own request
      const { pool, fromBlock } = await devnetPool(d)
      const who = await devnetDepositor(d, pool, 1, BigInt(CALLS), dir)
      const { tree } = (await syncTree(d.publicClient, pool.address, { fromBlock })) as { tree: CreditTree }
      const gateArgs = (store: string, workers: number) => [
        d.rpcUrl,
        String(d.chainId),
        pool.address,
        String(fromBlock),
        store,
        '5',
        String(workers),
      ]
      const first = await startGate(gateArgs(`sqlite:${join(dir, 'calls.sqlite')}`, 2))
      const accepted = decodeHeader(
        paymentRequiredSchema,
        (await fetch(`${first.url}/x`)).headers.get(HEADER_REQUIRED) ?? undefined,
        'PAYMENT-REQUIRED',
      ).accepts[0]
      const calls: { path: string; header: string }[] = []
      for (let i = 0; i < CALLS; i++) {
        const path = `/call/${i}`
        const proved = await proveCredit({
          sk: who.secret,
          n: BigInt(CALLS),
          i: BigInt(i),
          tree,
          scope: pool.scope,
          x: requestBinding('GET', path),
        })
        const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
        const payload = { proof: { a: cd.a, b: cd.b, c: cd.c }, publicSignals: cd.pub }
        calls.push({ path, header: encodeHeader({ x402Version: 2, accepted, payload }) })
      }
      const throughput = async (urls: string[]) => {
        const statuses: number[] = []
        const ms = await timeOnce(() =>
          Promise.all(
            calls.map(async (c, k) => {
              const res = await fetch(`${urls[k % urls.length]}${c.path}`, {
                headers: { [HEADER_SIGNATURE]: c.header },
              })
              await res.arrayBuffer()
              statuses.push(res.status)
            }),
          ),
        )
        if (statuses.some((s) => s !== 200)) throw new Error(`not every paid call was served: ${statuses.join(',')}`)
        return Math.round((CALLS / ms) * 1000 * 100) / 100
      }
      const one = await throughput([first.url])
      await first.stop()
      const callsDb = await postgres.createDatabase('calls')
      const two = await Promise.all([startGate(gateArgs(callsDb, 1)), startGate(gateArgs(callsDb, 1))])
      const both = await throughput(two.map((g) => g.url))
      await Promise.all(two.map((g) => g.stop()))
      const note = `${CALLS} paid calls sent at once, proofs made beforehand; each call: a pairing check, a claim, an answer`
      const oneRow = { name: 'paid calls per second, one gate process on SQLite (2 verifier workers)', unit: 'calls/s' }
      results.push({ ...oneRow, median: one, p95: one, n: 1, note })
      results.push({
        name: 'paid calls per second, two gate processes on one PostgreSQL (1 verifier worker each)',
        unit: 'calls/s',
        median: both,
        p95: both,
        n: 1,
        baseline: { name: oneRow.name, median: one },
        note: `${note}; calls alternate between the two gates`,
      })
    } finally {
      await terminateProver()
      await d.stop()
      await postgres.stop()
    }
    return results
  },
}

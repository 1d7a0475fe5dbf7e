/**
 * Floods of junk payments against the zk-rln gate (bench/zkpay-gateway.ts, its own process): honest
 * paid calls are timed before, during and after 10,000 junk payments of the attack run's kind (half
 * right scope with random signals and a wrong x, half this request's x with made-up roots), and the
 * gate reports the high-water mark of its verification queue. The junk comes from another process
 * (bench/flooder.mjs), as an attacker's would. Goal: honest calls under 10× their
 * baseline during it. Then a second flood of junk that passes every cheap check (this request's x,
 * the pool's root, fresh nullifiers, points on the curve), so each one costs a pairing check in the
 * bounded queue: what honest calls see then, and how high the queue went.
 */
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseEther } from 'viem'
import { SNARK_FIELD, terminateProver } from '@hermit/circuits'
import { startDevnet } from '@hermit/devnet'
import {
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  TicketStore,
  ZkIdentity,
  createZkPayClient,
  decodeHeader,
  deployCreditPool,
  depositToPool,
  encodeHeader,
  paymentRequiredSchema,
  prepareDeposit,
  readPool,
  requestBinding,
  syncTree,
  zkInfraFromDeployments,
  type GateStats,
} from '@hermit/zkpay'
import { baselineOf, iterations, summarize, timeOnce, type BenchFile, type BenchResult } from './lib.ts'

const JUNK = iterations(10_000, 1_000)
/** Junk payments of the second flood, each reaching the pairing check. */
const PAIRING_JUNK = iterations(2_000, 300)
/** Junk payments in flight at once (one attacker, many connections). */
const IN_FLIGHT = 64
/** Honest calls timed before, during and after the flood (after WARM warm-up calls). */
const CALLS = iterations(12, 4)
const WARM = 3

const randomField = () => BigInt(`0x${randomBytes(32).toString('hex')}`) % SNARK_FIELD
/** The generators of G1 and G2 in the wire's order: junk proofs that parse, so each one costs a real pairing check. */
const onCurve = {
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

/** Starts bench/zkpay-gateway.ts in a process of its own and waits until it listens. */
async function startGateway(rpcUrl: string, chainId: number, pool: string, dir: string) {
  const script = fileURLToPath(new URL('./zkpay-gateway.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, rpcUrl, String(chainId), pool, dir], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench gateway exited (code ${code}) before it listened`)))
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    )
  })
  return {
    port,
    stop: async () => {
      child.stdin!.end()
      child.kill('SIGTERM')
      await exited
    },
  }
}

export const bench: BenchFile = {
  title: 'ZK credits under a flood: honest paid calls during 10,000 junk payments',
  measures: ['packages/zkpay/src', 'bench/zkpay-gateway.ts'],
  async run() {
    const results: BenchResult[] = []
    const d = await startDevnet()
    const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-flood-'))
    try {
      const provider = d.accounts[5]!
      const address = await deployCreditPool(
        d.publicClient,
        d.walletFor(provider),
        zkInfraFromDeployments(d.deployments),
        {
          provider: provider.address,
          price: parseEther('0.001'),
          stake: parseEther('0.1'),
        },
      )
      const info = await readPool(d.publicClient, address)
      const identity = ZkIdentity.random()
      const tickets = WARM + 4 * CALLS
      const dep = prepareDeposit(identity, BigInt(tickets))
      const { leafIndex } = await depositToPool(
        d.publicClient,
        d.walletFor(d.accounts[1]!),
        info,
        dep.leaf,
        BigInt(tickets),
      )
      const store = TicketStore.create(join(dir, 'tickets.json'), {
        pool: address,
        chainId: info.chainId,
        leafIndex,
        tickets,
        secretNonce: dep.secretNonce,
      })
      const root = (await syncTree(d.publicClient, address)).root
      const gateway = await startGateway(d.rpcUrl, d.chainId, address, dir)
      try {
        const url = `http://127.0.0.1:${gateway.port}/paid`
        // honest calls spend precomputed proofs (no preverify), so each one is a pairing check in the gate's queue
        const client = createZkPayClient({ identity, tickets: store, publicClient: d.publicClient })
        await client.precompute(url, tickets)
        await client.precompute(url, 0)
        const honest = async () => {
          const r = await client.fetch(url)
          if (r.status !== 200) throw new Error(`honest paid call failed: ${r.status}`)
          await r.text()
        }
        const timeCalls = async (n: number) => {
          const out: number[] = []
          for (let k = 0; k < n; k++) out.push(await timeOnce(honest))
          return out
        }
        for (let k = 0; k < WARM; k++) await honest()
        const before = summarize('honest paid call (precomputed proof), before the flood', 'ms', await timeCalls(CALLS))
        results.push(before)

        const accepted = decodeHeader(
          paymentRequiredSchema,
          (await fetch(url)).headers.get(HEADER_REQUIRED) ?? undefined,
          'PAYMENT-REQUIRED',
        ).accepts[0]!
        const x = requestBinding('GET', '/paid', '')
        type Kind = 'wrong-x' | 'made-up-root' | 'pairing'
        const junk = (kind: Kind) => {
          const signals = [
            randomField(),
            randomField(),
            kind === 'made-up-root' ? randomField() : root,
            info.scope,
            kind === 'wrong-x' ? randomField() : x,
          ]
          return encodeHeader({ x402Version: 2, accepted, payload: { proof: onCurve, publicSignals: signals } })
        }
        const stats = async () => (await (await fetch(`http://127.0.0.1:${gateway.port}/stats`)).json()) as GateStats
        /**
         * `total` junk payments (`kindOf(k)`), IN_FLIGHT at a time from bench/flooder.mjs (made
         * beforehand, off the clock, and sent from a process of its own), while honest calls are
         * timed one after another from this one.
         */
        const flood = async (total: number, kindOf: (k: number) => Kind) => {
          const file = join(dir, 'junk.txt')
          writeFileSync(file, `${Array.from({ length: total }, (_, k) => junk(kindOf(k))).join('\n')}\n`)
          const script = fileURLToPath(new URL('./flooder.mjs', import.meta.url))
          const attacker = spawn(process.execPath, [script, url, HEADER_SIGNATURE, file, String(IN_FLIGHT)], {
            stdio: ['pipe', 'pipe', 'inherit'],
          })
          const lines = createInterface({ input: attacker.stdout! })[Symbol.asyncIterator]()
          const line = async () => {
            const next = await lines.next()
            if (next.done) throw new Error('bench/flooder.mjs ended without a report')
            return next.value
          }
          if ((await line()) !== 'ready') throw new Error('bench/flooder.mjs did not start')
          let flooding = true
          attacker.stdin!.write('go\n')
          const report = line().then((l) => {
            flooding = false
            return JSON.parse(l) as { ms: number; statuses: Record<string, number> }
          })
          const during: number[] = []
          while (flooding && during.length < CALLS) during.push(await timeOnce(honest))
          const { ms, statuses } = await report
          if (during.length === 0) throw new Error('the flood ended before any honest call')
          const shown = Object.entries(statuses)
            .map(([s, n]) => `${n}× ${s}`)
            .join(', ')
          return { during, rate: Math.round((total / ms) * 1000), shown }
        }
        const queueRow = (name: string, s: GateStats): BenchResult => ({
          name,
          unit: 'checks',
          median: s.highWaterVerifications,
          p95: s.highWaterVerifications,
          n: 1,
          note: `bound 256 (maxPendingVerifications); ${s.pairings} pairing checks started so far, ${s.shed} payments shed with 503`,
        })

        const cheap = await flood(JUNK, (k) => (k % 2 === 0 ? 'wrong-x' : 'made-up-root'))
        const afterCheap = await stats()
        results.push(
          summarize(`honest paid call, during ${JUNK.toLocaleString('en')} junk payments`, 'ms', cheap.during, {
            baseline: baselineOf(before),
            note: `goal: under 10× the baseline; junk: half wrong x, half made-up roots, answered ${cheap.shown}; ${IN_FLIGHT} in flight`,
          }),
        )
        results.push(
          summarize('honest paid call, after the flood', 'ms', await timeCalls(CALLS), {
            baseline: baselineOf(before),
          }),
        )
        results.push({
          name: 'junk payments refused per second (whole flood)',
          unit: '/s',
          median: cheap.rate,
          p95: cheap.rate,
          n: 1,
        })
        results.push(queueRow("verification queue high-water mark (gate's pending pairing checks)", afterCheap))

        const heavy = await flood(PAIRING_JUNK, () => 'pairing')
        results.push(
          summarize(
            `honest paid call, during ${PAIRING_JUNK.toLocaleString('en')} junk payments that each cost a pairing check`,
            'ms',
            heavy.during,
            {
              baseline: baselineOf(before),
              note: `every cheap check passes (this x, the pool's root, fresh nullifiers, points on the curve); answered ${heavy.shown}; ${heavy.rate}/s`,
            },
          ),
        )
        results.push(queueRow('verification queue high-water mark, after the pairing flood', await stats()))
      } finally {
        await gateway.stop()
      }
    } finally {
      await terminateProver()
      await d.stop()
    }
    return results
  },
}

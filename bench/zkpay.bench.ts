import { parseEther } from 'viem'
import * as snarkjs from 'snarkjs'
import { creditPoolAbi } from '@hermit/contracts'
import { startDevnet } from '@hermit/devnet'
import {
  createCreditTree,
  creditLeaf,
  loadVerificationKey,
  proveCredit,
  proveExit,
  randomFieldElement,
  terminateProver,
  toSolidityCalldata,
  type Groth16Proof,
} from '@hermit/circuits'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  ProofVerifierPool,
  TicketStore,
  ZkIdentity,
  createZkPayClient,
  deployCreditPool,
  depositToPool,
  prepareDeposit,
  readPool,
  removalSiblings,
  syncTree,
  zkInfraFromDeployments,
} from '@hermit/zkpay'
import { baselineOf, iterations, summarize, timeOnce, type BenchFile, type BenchResult } from './lib.ts'

const PER_CALL =
  'the server checks the proof on the call (mcl, one pairing product, ~6–8 ms) while it checks the one-time signature'
const AHEAD = 'the proof was verified when it was made: the call checks the one-time signature and claims the nullifier'

/** Proofs checked together by the mcl pool, and its workers: every batch of the throughput run holds distinct proofs. */
const BATCH = iterations(32, 4)
const WORKERS = 2
/** Distinct proofs for the verification figures: one full batch per worker (a proof is never twice in a batch). */
const DISTINCT = BATCH * WORKERS
/** Proofs per throughput repetition (the distinct proofs four times over, in order), and repetitions. */
const PER_REP = DISTINCT * 4
const REPS = iterations(5, 2)
const WARM_PROOFS = iterations(8, 2)
/** Gas samples: deposits 2G, slashes G, exits G. */
const G = iterations(4, 1)
/** Paid calls per latency mode, after WARM_CALLS warm-up calls. */
const CALLS = iterations(16, 4)
const WARM_CALLS = iterations(3, 1)

type Proved = { proof: Groth16Proof; publicSignals: string[] }
type Stats = ReturnType<ProofVerifierPool['stats']>
const minus = (a: Stats, b: Stats): Stats => ({
  batchesPassed: a.batchesPassed - b.batchesPassed,
  proofsInPassedBatches: a.proofsInPassedBatches - b.proofsInPassedBatches,
  batchesFailed: a.batchesFailed - b.batchesFailed,
  checkedOneByOne: a.checkedOneByOne - b.checkedOneByOne,
  checkedSplit: a.checkedSplit - b.checkedSplit,
})

/** Starts bench/zkpay-gateway.ts in a process of its own and waits until it listens. */
async function startGateway(rpcUrl: string, chainId: number, pool: string, dir: string) {
  const script = fileURLToPath(new URL('./zkpay-gateway.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, rpcUrl, String(chainId), pool, dir], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
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
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
}

export const bench: BenchFile = {
  title: 'ZK credits: proving, verification throughput, pool gas, paid-call latency',
  // the client, gate and verifier pool; the circuits and their artifacts; the pool and its verifiers
  measures: ['packages/zkpay', 'circuits', 'contracts/src/zkpay', 'contracts/src/zk'],
  async run() {
    const results: BenchResult[] = []
    // proving: a tree of 1,000 deposits (depth 10)
    const sk = randomFieldElement()
    const leaves = [creditLeaf(sk, 100n), ...Array.from({ length: 999 }, () => randomFieldElement())]
    const tree = createCreditTree(leaves)
    let i = 0n
    // every proof spends another ticket index for another message: all proofs below are distinct
    const prove = () => proveCredit({ sk, n: 100n, i: i++, tree, scope: 42n, x: 7n + i })
    const proofs: Proved[] = []
    const keep = (p: Proved) => void proofs.push({ proof: p.proof, publicSignals: p.publicSignals })
    const cold = await timeOnce(async () => keep(await prove()))
    results.push({
      name: 'credit proof, cold (first in the process)',
      unit: 'ms',
      median: Math.round(cold),
      p95: Math.round(cold),
      n: 1,
    })
    const warm: number[] = []
    for (let k = 0; k < WARM_PROOFS; k++) warm.push(await timeOnce(async () => keep(await prove())))
    results.push(summarize('credit proof, warm (1,000-leaf tree)', 'ms', warm))
    while (proofs.length < DISTINCT) keep(await prove())
    const distinct = new Set(proofs.map((p) => p.publicSignals.join(',')))
    if (distinct.size !== proofs.length) throw new Error('the verification proofs are not distinct')

    // verification: plain snarkjs on the main thread, one proof at a time, each timed on its own
    const vkey = loadVerificationKey('credit')
    const single: number[] = []
    for (const p of proofs)
      single.push(
        await timeOnce(async () => {
          if (!(await snarkjs.groth16.verify(vkey as never, p.publicSignals, p.proof as never)))
            throw new Error('bad proof')
        }),
      )
    const one = summarize('verify: snarkjs.groth16.verify, main thread, one proof at a time (baseline)', 'ms', single, {
      note: `each of ${proofs.length} distinct proofs timed on its own`,
    })
    results.push(one)
    // the pool rows are rates: their baseline is the rate of the median single verification
    const rate = Math.round(10_000 / one.median) / 10
    const baseline = { name: 'snarkjs main thread: 1000 / its median ms', median: rate }
    for (const [label, opts] of [
      [
        `ProofVerifierPool, snarkjs engine, ${WORKERS} worker threads`,
        { engine: 'snarkjs' as const, workers: WORKERS },
      ],
      [
        `ProofVerifierPool, mcl-wasm batches of ${BATCH}, ${WORKERS} worker threads`,
        { engine: 'mcl' as const, workers: WORKERS, batchSize: BATCH },
      ],
    ] as const) {
      const pool = new ProofVerifierPool(vkey, opts)
      await pool.verify(proofs[0]!.proof, proofs[0]!.publicSignals) // start and warm the workers
      const before = pool.stats()
      const runs: number[] = []
      for (let rep = 0; rep < REPS; rep++) {
        // sent in one turn of the event loop: worker w gets proofs w, w + WORKERS, …: BATCH distinct ones a batch
        const ms = await timeOnce(async () => {
          const ok = await Promise.all(
            Array.from({ length: PER_REP }, (_, k) =>
              pool.verify(proofs[k % DISTINCT]!.proof, proofs[k % DISTINCT]!.publicSignals),
            ),
          )
          if (!ok.every(Boolean)) throw new Error('a valid proof was refused')
        })
        runs.push((PER_REP * 1000) / ms)
      }
      const st = minus(pool.stats(), before)
      await pool.close()
      if (opts.engine === 'mcl' && (st.batchesFailed > 0 || st.proofsInPassedBatches !== PER_REP * REPS))
        throw new Error(`valid batches went to the per-proof fallback: ${JSON.stringify(st)}`)
      const how =
        opts.engine === 'mcl'
          ? `${st.batchesPassed} batch checks passed (${st.proofsInPassedBatches} proofs), ${st.batchesFailed} fell back to one by one`
          : `${st.checkedOneByOne} proofs checked one by one`
      const s = summarize(`verify: ${label}`, 'proofs/s', runs, { baseline })
      results.push({
        ...s,
        note:
          `${Math.round((s.median / rate) * 10) / 10}x the baseline (target 10x); n = repetitions of ${PER_REP} verifications ` +
          `over ${DISTINCT} distinct proofs, median and p95 of the per-repetition rates; ${how}`,
      })
    }

    // one call's latency: a lone proof, nothing else in flight (what a quiet gateway sees), with and
    // without the split between two workers; the pools are interleaved so they share the machine's state
    const lone = { one: [] as number[], split: [] as number[] }
    const byOne = new ProofVerifierPool(vkey, { workers: WORKERS, splitLoneProofs: false })
    const bySplit = new ProofVerifierPool(vkey, { workers: WORKERS })
    try {
      for (const pool of [byOne, bySplit]) await pool.verify(proofs[0]!.proof, proofs[0]!.publicSignals)
      for (let k = 0; k < 4 * DISTINCT; k++) {
        const p = proofs[k % DISTINCT]!
        for (const [pool, into] of [
          [byOne, lone.one],
          [bySplit, lone.split],
        ] as const)
          into.push(
            await timeOnce(async () => {
              if (!(await pool.verify(p.proof, p.publicSignals))) throw new Error('a valid proof was refused')
            }),
          )
      }
      if (bySplit.stats().checkedSplit !== 4 * DISTINCT + 1) throw new Error('the lone proofs were not split')
    } finally {
      await Promise.all([byOne.close(), bySplit.close()])
    }
    const oneWorker = summarize(`verify one lone proof: mcl, one of ${WORKERS} workers`, 'ms', lone.one)
    results.push(oneWorker)
    results.push(
      summarize(
        `verify one lone proof: mcl, split between ${WORKERS} workers (L and e(-A, B) on one; e(C, δ), e(L, γ) and the final exponentiation on the other)`,
        'ms',
        lone.split,
        {
          baseline: baselineOf(oneWorker),
          note: 'what a paid call waits for when the gateway has nothing else to check; under load, proofs are batched instead',
        },
      ),
    )

    // gas on the devnet, with real proofs
    const d = await startDevnet()
    try {
      const provider = d.accounts[5]!
      const address = await deployCreditPool(
        d.publicClient,
        d.walletFor(provider),
        zkInfraFromDeployments(d.deployments),
        { provider: provider.address, price: parseEther('0.001'), stake: parseEther('0.1') },
      )
      const info = await readPool(d.publicClient, address)
      const gas: Record<string, number[]> = { deposit: [], slash: [], requestExit: [], finalizeExit: [] }
      const secrets = Array.from({ length: 2 * G }, () => randomFieldElement())
      for (const s of secrets) {
        const hash = await d.walletFor(d.accounts[1]!).writeContract({
          address,
          abi: creditPoolAbi,
          functionName: 'deposit',
          args: [creditLeaf(s, 10n), 10n],
          value: 10n * info.price + info.stake,
        })
        gas.deposit!.push(Number((await d.publicClient.waitForTransactionReceipt({ hash })).gasUsed))
      }
      for (let k = 0; k < G; k++) {
        const synced = await syncTree(d.publicClient, address)
        const hash = await d.walletFor(d.accounts[2]!).writeContract({
          address,
          abi: creditPoolAbi,
          functionName: 'slash',
          args: [secrets[k]!, 10n, BigInt(k), removalSiblings(synced.tree, k)],
        })
        gas.slash!.push(Number((await d.publicClient.waitForTransactionReceipt({ hash })).gasUsed))
      }
      for (let k = G; k < 2 * G; k++) {
        const recipient = d.accounts[3]!.address
        // an exit proof is bound to its deposit (exitScope(index)); the pool keeps its tree, so no siblings
        const scope = await d.publicClient.readContract({
          address,
          abi: creditPoolAbi,
          functionName: 'exitScope',
          args: [BigInt(k)],
        })
        const exit = await proveExit({ sk: secrets[k]!, n: 10n, recipient, scope })
        const cd = toSolidityCalldata(exit.proof, exit.publicSignals)
        const hash = await d.walletFor(d.accounts[3]!).writeContract({
          address,
          abi: creditPoolAbi,
          functionName: 'requestExit',
          args: [BigInt(k), recipient, cd.a, cd.b, cd.c],
          gas: 2_000_000n,
        })
        gas.requestExit!.push(Number((await d.publicClient.waitForTransactionReceipt({ hash })).gasUsed))
        await d.testClient.increaseTime({ seconds: 3601 })
        await d.testClient.mine({ blocks: 1 })
        const fin = await d
          .walletFor(d.accounts[3]!)
          .writeContract({ address, abi: creditPoolAbi, functionName: 'finalizeExit', args: [BigInt(k)] })
        gas.finalizeExit!.push(Number((await d.publicClient.waitForTransactionReceipt({ hash: fin })).gasUsed))
      }
      for (const [name, s] of Object.entries(gas)) results.push(summarize(`gas: CreditPool.${name}`, 'gas', s))

      // the latency a paid call adds: each paid call is paired with an unpaid call to the same gateway
      // (its own process), back to back (alternating which goes first); the figure is the per-pair difference
      const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-zkpay-'))
      const gateway = await startGateway(d.rpcUrl, d.chainId, address, dir)
      try {
        const url = `http://127.0.0.1:${gateway.port}`
        const unpaid = async () => {
          const r = await fetch(`${url}/free`)
          if ((await r.text()) !== 'ok') throw new Error('unpaid call failed')
        }
        type Mode = { account: number; preverify: boolean; background: boolean }
        const measure = async ({ account, preverify, background }: Mode) => {
          const identity = ZkIdentity.random()
          // background proving tops the ready proofs back up as calls spend them: at most as many again
          const tickets = 2 * (CALLS + WARM_CALLS) + 2
          const dep = prepareDeposit(identity, BigInt(tickets))
          const { leafIndex } = await depositToPool(
            d.publicClient,
            d.walletFor(d.accounts[account]!),
            info,
            dep.leaf,
            BigInt(tickets),
          )
          const ticketStore = TicketStore.create(join(dir, `t-${account}.json`), {
            pool: address,
            chainId: info.chainId,
            leafIndex,
            tickets,
            secretNonce: dep.secretNonce,
          })
          const client = createZkPayClient({ identity, tickets: ticketStore, publicClient: d.publicClient, preverify })
          await client.precompute(`${url}/paid`, CALLS + WARM_CALLS)
          // without background proving the client keeps its ready proofs but makes no new ones;
          // with it, every call starts a refill that proves a replacement while the next calls run
          if (!background) await client.precompute(`${url}/paid`, 0)
          // a proof is being made when tickets were reserved for more proofs than have come out
          const reserved0 = ticketStore.remaining()
          const ready0 = client.readyProofs()
          let spent = 0
          const proving = () => reserved0 - ticketStore.remaining() - (client.readyProofs() - ready0 + spent)
          const paid = async () => {
            if (client.readyProofs() === 0) throw new Error('no precomputed proof left: the call would prove on demand')
            const r = await client.fetch(`${url}/paid`)
            spent++
            if (r.status !== 200) throw new Error(`paid call failed: ${r.status}`)
            await r.text()
          }
          // a running gateway is warm: the first calls of a process pay for JIT compilation, not for payment
          for (let k = 0; k < WARM_CALLS; k++) {
            await paid()
            await unpaid()
          }
          const paidMs: number[] = []
          const unpaidMs: number[] = []
          let overlapped = 0
          for (let k = 0; k < CALLS; k++) {
            if (proving() > 0) overlapped++
            if (k % 2 === 0) {
              paidMs.push(await timeOnce(paid))
              unpaidMs.push(await timeOnce(unpaid))
            } else {
              unpaidMs.push(await timeOnce(unpaid))
              paidMs.push(await timeOnce(paid))
            }
          }
          if (background && overlapped === 0) throw new Error('background proving did not run during the calls')
          if (!background && overlapped > 0)
            throw new Error('a proof was being made although background proving was off')
          await client.precompute(`${url}/paid`, 0) // stop refilling (waits for the proof in flight)
          return { paidMs, unpaidMs, overlapped }
        }
        const modes: Array<Mode & { label: string; note: string }> = [
          { account: 4, preverify: false, background: false, label: 'precomputed proof', note: PER_CALL },
          {
            account: 6,
            preverify: true,
            background: false,
            label: 'precomputed proof sent ahead (preverify)',
            note: AHEAD,
          },
          { account: 7, preverify: false, background: true, label: 'precomputed proof', note: PER_CALL },
          {
            account: 8,
            preverify: true,
            background: true,
            label: 'precomputed proof sent ahead (preverify)',
            note: AHEAD,
          },
        ]
        for (const mode of modes) {
          const { paidMs, unpaidMs, overlapped } = await measure(mode)
          const bg = mode.background ? 'background proving running' : 'no background proving'
          const ran = mode.background
            ? `background proving ran: a proof was being made when ${overlapped} of the ${CALLS} measured calls started ` +
              '(the client proves in its own process, the gateway runs in another; they share the cores of one machine)'
            : 'background proving off: no proof was being made during the calls'
          const free = summarize('the paired unpaid calls (same gateway)', 'ms', unpaidMs)
          results.push(
            summarize(`paid call, ${mode.label}; ${bg}`, 'ms', paidMs, {
              baseline: baselineOf(free),
              note: `after ${WARM_CALLS} warm-up call${WARM_CALLS === 1 ? '' : 's'}; ${mode.note}; ${ran}`,
            }),
            summarize(
              `added latency per paid call (paid − unpaid, per back-to-back pair), ${mode.label}; ${bg}`,
              'ms',
              paidMs.map((t, k) => t - unpaidMs[k]!),
              mode.preverify && !mode.background ? { note: 'target: < 10 ms median' } : {},
            ),
          )
        }
      } finally {
        await gateway.stop()
      }
    } finally {
      await d.stop()
      await terminateProver()
    }
    return results
  },
}

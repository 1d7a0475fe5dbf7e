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
} from '@hermit/circuits'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  ProofVerifierPool,
  SqliteNullifierStore,
  TicketStore,
  ZkIdentity,
  createZkPayClient,
  createZkPayGate,
  deployCreditPool,
  depositToPool,
  prepareDeposit,
  readPool,
  removalSiblings,
  syncTree,
  zkInfraFromDeployments,
} from '@hermit/zkpay'
import { summarize, timeMs, type BenchFile, type BenchResult } from './lib.ts'

export const bench: BenchFile = {
  title: 'ZK credits: proving, verification throughput, pool gas',
  async run() {
    const results: BenchResult[] = []
    // proving: a tree of 1,000 deposits (depth 10)
    const sk = randomFieldElement()
    const leaves = [creditLeaf(sk, 100n), ...Array.from({ length: 999 }, () => randomFieldElement())]
    const tree = createCreditTree(leaves)
    let i = 0n
    const prove = () => proveCredit({ sk, n: 100n, i: i++, tree, scope: 42n, x: 7n + i })
    const t0 = performance.now()
    const first = await prove()
    const cold = performance.now() - t0
    results.push({
      name: 'credit proof, cold (first in the process)',
      unit: 'ms',
      median: Math.round(cold),
      p95: Math.round(cold),
      n: 1,
    })
    results.push(
      summarize('credit proof, warm (1,000-leaf tree)', 'ms', await timeMs(8, async () => void (await prove()), 0)),
    )

    // verification throughput: plain snarkjs on the main thread vs the worker pool, same proofs, same run
    const vkey = loadVerificationKey('credit')
    const proofs = await Promise.all(Array.from({ length: 6 }, () => prove()))
    const N = 60
    const s0 = performance.now()
    for (let k = 0; k < N; k++) {
      const p = proofs[k % proofs.length]!
      if (!(await snarkjs.groth16.verify(vkey as never, p.publicSignals, p.proof as never)))
        throw new Error('bad proof')
    }
    const baselineMs = (performance.now() - s0) / N
    const round = (x: number) => Math.round(x * 10) / 10
    const baseline = { name: 'snarkjs main thread', median: round(1000 / baselineMs), p95: round(1000 / baselineMs) }
    results.push({
      name: 'verify: snarkjs.groth16.verify, main thread (baseline)',
      unit: 'proofs/s',
      median: baseline.median,
      p95: baseline.p95,
      n: N,
    })
    const M = 256
    for (const [label, opts] of [
      ['ProofVerifierPool, snarkjs engine, 2 worker threads', { engine: 'snarkjs' as const, workers: 2 }],
      [
        'ProofVerifierPool, mcl-wasm batches of 32, 2 worker threads',
        { engine: 'mcl' as const, workers: 2, batchSize: 32 },
      ],
    ] as const) {
      const pool = new ProofVerifierPool(vkey, opts)
      await pool.verify(first.proof, first.publicSignals) // start and warm the workers
      const runs: number[] = []
      for (let rep = 0; rep < 3; rep++) {
        const w0 = performance.now()
        const ok = await Promise.all(
          Array.from({ length: M }, (_, k) =>
            pool.verify(proofs[k % proofs.length]!.proof, proofs[k % proofs.length]!.publicSignals),
          ),
        )
        if (!ok.every(Boolean)) throw new Error('a valid proof was refused')
        runs.push((M * 1000) / (performance.now() - w0))
      }
      await pool.close()
      const s = summarize(`verify: ${label}`, 'proofs/s', runs, { baseline })
      results.push({ ...s, note: `${round(s.median / baseline.median)}x the baseline (target 10x)` })
    }

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
      const secrets = Array.from({ length: 8 }, () => randomFieldElement())
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
      for (let k = 0; k < 4; k++) {
        const synced = await syncTree(d.publicClient, address)
        const hash = await d.walletFor(d.accounts[2]!).writeContract({
          address,
          abi: creditPoolAbi,
          functionName: 'slash',
          args: [secrets[k]!, 10n, BigInt(k), removalSiblings(synced.tree, k)],
        })
        gas.slash!.push(Number((await d.publicClient.waitForTransactionReceipt({ hash })).gasUsed))
      }
      for (let k = 4; k < 8; k++) {
        const recipient = d.accounts[3]!.address
        const exit = await proveExit({ sk: secrets[k]!, n: 10n, recipient, scope: info.scope })
        const cd = toSolidityCalldata(exit.proof, exit.publicSignals)
        const synced = await syncTree(d.publicClient, address)
        const hash = await d.walletFor(d.accounts[3]!).writeContract({
          address,
          abi: creditPoolAbi,
          functionName: 'requestExit',
          args: [BigInt(k), recipient, cd.a, cd.b, cd.c, removalSiblings(synced.tree, k)],
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

      // added latency of a paid call with precomputed proofs, against the same call answered unpaid
      const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-zkpay-'))
      const store = SqliteNullifierStore.open(join(dir, 'n.sqlite'))
      const verifierPool = new ProofVerifierPool(vkey, { workers: 2 })
      const gate = createZkPayGate({
        publicClient: d.publicClient,
        pool: info,
        store,
        verifier: verifierPool,
        preverify: true,
      })
      const server = createServer((req, res) => {
        if (req.url === '/free') return void res.end('ok')
        void gate.handle(req, res, async () => ({ body: 'ok' }))
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const M = 16
      const WARM = 3
      const paidCalls = async (account: number, preverify: boolean): Promise<number[]> => {
        const identity = ZkIdentity.random()
        const dep = prepareDeposit(identity, 40n)
        const { leafIndex } = await depositToPool(
          d.publicClient,
          d.walletFor(d.accounts[account]!),
          info,
          dep.leaf,
          40n,
        )
        const tickets = TicketStore.create(join(dir, `t-${account}.json`), {
          pool: address,
          chainId: info.chainId,
          leafIndex,
          tickets: 40,
          secretNonce: dep.secretNonce,
        })
        const client = createZkPayClient({ identity, tickets, publicClient: d.publicClient, preverify })
        await client.precompute(`${url}/paid`, M + WARM)
        await client.precompute(`${url}/paid`, 0) // keep the ready proofs, but no background proving during the measurement
        // a running gateway is warm: the first calls of a process pay for JIT compilation, not for payment
        for (let k = 0; k < WARM; k++)
          if ((await client.fetch(`${url}/paid`)).status !== 200) throw new Error('warm-up call failed')
        const out: number[] = []
        for (let k = 0; k < M; k++) {
          const t = performance.now()
          const r = await client.fetch(`${url}/paid`)
          out.push(performance.now() - t)
          if (r.status !== 200) throw new Error(`paid call failed: ${r.status}`)
        }
        return out
      }
      const paid = await paidCalls(4, false)
      const ahead = await paidCalls(6, true)
      const free = await timeMs(M, async () => void (await (await fetch(`${url}/free`)).text()))
      const freeS = summarize('unpaid call, same server', 'ms', free)
      const base = { baseline: { name: freeS.name, median: freeS.median, p95: freeS.p95 } }
      const paidS = summarize('paid call with a precomputed proof', 'ms', paid, {
        ...base,
        note: 'after 3 warm-up calls; the server checks the proof on the call (mcl, one pairing product, ~6–8 ms) while it checks the one-time signature',
      })
      const aheadS = summarize('paid call with a precomputed proof sent ahead (preverify)', 'ms', ahead, {
        ...base,
        note: 'the proof was verified when it was made: the call checks the one-time signature and claims the nullifier',
      })
      const added = (s: typeof paidS) => ({
        median: Math.round((s.median - freeS.median) * 100) / 100,
        p95: Math.round((s.p95 - freeS.p95) * 100) / 100,
      })
      results.push(
        freeS,
        paidS,
        aheadS,
        { name: 'added latency per paid call (precomputed)', unit: 'ms', ...added(paidS), n: M },
        {
          name: 'added latency per paid call (precomputed, preverified)',
          unit: 'ms',
          ...added(aheadS),
          n: M,
          note: 'target: < 10 ms median; after 3 warm-up calls',
        },
      )
      server.closeAllConnections()
      server.close()
      await verifierPool.close()
      await store.close()
    } finally {
      await d.stop()
      await terminateProver()
    }
    return results
  },
}

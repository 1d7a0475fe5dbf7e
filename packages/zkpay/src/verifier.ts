import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { Groth16Proof, VerificationKey } from '@hermit/circuits'
import { shortMessageOf } from '@hermit/errors'
import { ZkPayError } from './errors.ts'

/** How the pool's workers checked the proofs so far (counted since the pool started). */
export type VerifierStats = {
  /** Groups of two or more proofs that passed as one batch check (mcl: one pairing product). */
  batchesPassed: number
  /** Proofs accepted by those batch checks. */
  proofsInPassedBatches: number
  /** Batch checks that failed: each such group is split in two and its halves checked again (bisection). */
  batchesFailed: number
  /** Proofs checked alone: lone proofs, the halves bisection brought down to one proof, and every proof of the snarkjs engine. */
  checkedOneByOne: number
  /** Lone proofs that came while every worker was idle, checked by two workers at once (mcl, two workers or more). */
  checkedSplit: number
}

/**
 * The memory a split check's two workers share: three hand-over slots, each two words (the id of
 * the split whose value it holds, and the value's length, -1 for none) and then room for the
 * value: L (a G1 point), e(-A, B)'s Miller loop (a GT element, 12 field elements of 32 bytes), and
 * B's subgroup verdict (no bytes). verify-worker.mjs lays them out. One split runs at a time: a
 * proof is split only when nothing else is pending.
 */
export const SPLIT_BYTES = 6 * 4 + 64 + 12 * 32

/** `helper`: the other worker of a split check (it computes e(-A, B) for `worker`). */
type Pending = { resolve: (ok: boolean) => void; reject: (e: Error) => void; worker: number; helper?: number }

export type VerifierOptions = {
  workers?: number
  /** "mcl" (default): mcl-wasm pairings with batch verification; "snarkjs": the reference verifier. */
  engine?: 'mcl' | 'snarkjs'
  /** Proofs checked together (mcl); a batch with a bad proof is bisected to find it. */
  batchSize?: number
  /** How long a worker waits for more proofs before checking a partial batch (ms); 0 (default): only for those already queued. */
  batchWaitMs?: number
  /** Throwaway pairing checks at start, so the first real proofs run optimized code (default 8; mcl only). */
  warmUp?: number
  /**
   * A lone proof that comes while nothing else is being checked is split between two workers (mcl,
   * two workers or more): one computes L and e(-A, B) and checks B's subgroup, the other e(C, delta)
   * and e(L, gamma) and the final exponentiation.
   * It lowers one call's latency by about a third; under load, proofs are batched instead (default true).
   */
  splitLoneProofs?: boolean
}

/**
 * A pool of worker threads that verify Groth16 proofs, so the server's event loop never blocks.
 * With mcl, proofs that arrive together are verified in one pairing product (random linear
 * combination, 128-bit weights): one final exponentiation per batch instead of one per proof.
 */
export class ProofVerifierPool {
  private readonly workers: Worker[] = []
  private readonly ready: Promise<void>
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private turn = 0
  private closed = false
  private readonly counts: VerifierStats = {
    batchesPassed: 0,
    proofsInPassedBatches: 0,
    batchesFailed: 0,
    checkedOneByOne: 0,
    checkedSplit: 0,
  }
  private readonly split: boolean

  constructor(vkey: VerificationKey, options: VerifierOptions = {}) {
    const n = Math.max(1, options.workers ?? cpus().length)
    this.split = (options.engine ?? 'mcl') === 'mcl' && n >= 2 && options.splitLoneProofs !== false
    const url = fileURLToPath(new URL('./verify-worker.mjs', import.meta.url))
    // a split check's values go from one worker to the other through this memory, not through this
    // thread: a message relayed here cost 1.5 to 2 ms on a loaded machine, a futex wake-up far less
    const splitBuffer = new SharedArrayBuffer(SPLIT_BYTES)
    // `mod` keeps the web-worker polyfill that snarkjs bundles quiet inside a worker thread
    const workerData = {
      vkey,
      engine: options.engine ?? 'mcl',
      batchSize: options.batchSize ?? 32,
      batchWaitMs: options.batchWaitMs ?? 0,
      warmUp: options.warmUp ?? 8,
      splitBuffer,
      mod: 'data:,0',
      name: 'hermit-proof-verifier',
    }
    const starts: Promise<void>[] = []
    const spawnAt = (k: number): Promise<void> => {
      const w = new Worker(url, { workerData })
      this.workers[k] = w
      w.on('message', (m: { id?: number; ok?: boolean; stats?: VerifierStats }) => {
        if (m.stats)
          for (const key of Object.keys(this.counts) as Array<keyof VerifierStats>) this.counts[key] += m.stats[key]
        if (m.id === undefined) return
        const p = this.pending.get(m.id)
        this.pending.delete(m.id)
        p?.resolve(Boolean(m.ok))
      })
      // a worker that dies fails only its own requests, and is replaced
      const fail = (e: unknown) => {
        if (this.closed) return
        for (const [id, p] of this.pending) {
          if (p.worker !== k && p.helper !== k) continue
          this.pending.delete(id)
          p.reject(new ZkPayError('ZKPAY_VERIFIER_CRASHED', `A proof verifier worker stopped: ${shortMessageOf(e)}`))
        }
        if (this.workers[k] === w) void spawnAt(k).catch(() => {})
      }
      w.once('error', fail)
      w.once('exit', (code) => code !== 0 && fail(new Error(`exit code ${code}`)))
      return new Promise((resolve, reject) => {
        w.once('message', () => resolve())
        w.once('error', reject)
      })
    }
    for (let i = 0; i < n; i++) starts.push(spawnAt(i))
    this.ready = Promise.all(starts).then(() => undefined)
  }

  async verify(proof: Groth16Proof, publicSignals: readonly string[]): Promise<boolean> {
    if (this.closed) throw new ZkPayError('ZKPAY_VERIFIER_CLOSED', 'The proof verifier pool is closed.')
    await this.ready
    const id = this.nextId++
    const k = this.turn++ % this.workers.length
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: k })
      // proofs asked for in the same turn of the event loop go to each worker as one message, so
      // they are checked as one batch; a lone proof is sent at once (a microtask, no timer)
      const box = (this.outbox[k] ??= [])
      box.push({ id, proof, publicSignals })
      if (!this.flushing) {
        this.flushing = true
        queueMicrotask(() => this.flush())
      }
    })
  }

  private outbox: Array<Array<{ id: number; proof: Groth16Proof; publicSignals: readonly string[] }> | undefined> = []
  private flushing = false

  private flush(): void {
    this.flushing = false
    const boxes = this.outbox.filter((b) => b && b.length > 0)
    const lone = boxes.length === 1 && boxes[0]!.length === 1 ? boxes[0]![0]! : undefined
    // nothing else in flight: two idle workers share the one proof
    if (this.split && lone && this.pending.size === 1) {
      const p = this.pending.get(lone.id)!
      const helper = (p.worker + 1) % this.workers.length
      p.helper = helper
      const item = { proof: lone.proof, publicSignals: lone.publicSignals }
      this.workers[helper]!.postMessage({ split: { id: lone.id, half: 'ab', item } })
      this.workers[p.worker]!.postMessage({ split: { id: lone.id, half: 'lc', item } })
      this.outbox = []
      return
    }
    this.outbox.forEach((items, k) => {
      if (items && items.length > 0) this.workers[k]!.postMessage({ batch: items })
    })
    this.outbox = []
  }

  /** Proofs asked for and not answered yet (queued in the pool or being checked by a worker). */
  pendingCount(): number {
    return this.pending.size
  }

  /** How the proofs were checked so far: batch checks that passed, batches that fell back to one by one. */
  stats(): VerifierStats {
    return { ...this.counts }
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

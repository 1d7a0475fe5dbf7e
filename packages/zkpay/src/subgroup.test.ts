// "G2 points are checked for subgroup membership": BN254's twist E'(Fp2) has a huge cofactor, so
// most points on it are not in the order-r group G2 that Groth16's soundness is argued over. The
// mcl verifier refuses such a point when it parses the proof, before any pairing is computed (a
// split check parses it on the curve only, and checks its subgroup beside the final exponentiation).
import * as mcl from 'mcl-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createCreditTree,
  creditLeaf,
  loadVerificationKey,
  proveCredit,
  randomFieldElement,
  terminateProver,
  type Groth16Proof,
} from '@hermit/circuits'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ProofVerifierPool, SPLIT_BYTES } from './verifier.ts'

const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
/** Atomics.waitAsync (Node 16+; not in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: unknown } })
  .waitAsync
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

// Fp2 = Fp[u]/(u² + 1), elements as [c0, c1] = c0 + c1·u
type Fp2 = readonly [bigint, bigint]
const mod = (a: bigint) => ((a % P) + P) % P
const pow = (b: bigint, e: bigint): bigint => {
  let out = 1n
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) out = (out * b) % P
  return out
}
const add = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] + b[0]), mod(a[1] + b[1])]
const mul = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])]
const pow2 = (b: Fp2, e: bigint): Fp2 => {
  let out: Fp2 = [1n, 0n]
  for (; e > 0n; e >>= 1n, b = mul(b, b)) if (e & 1n) out = mul(out, b)
  return out
}
const eq = (a: Fp2, b: Fp2) => a[0] === b[0] && a[1] === b[1]
const MINUS_ONE: Fp2 = [P - 1n, 0n]
/** A square root in Fp2 for p ≡ 3 (mod 4) (Adj & Rodríguez-Henríquez, algorithm 9), or undefined. */
function sqrt2(a: Fp2): Fp2 | undefined {
  const a1 = pow2(a, (P - 3n) / 4n)
  const alpha = mul(mul(a1, a1), a)
  const a0 = mul(pow2(alpha, P), alpha)
  if (eq(a0, MINUS_ONE)) return undefined
  const x0 = mul(a1, a)
  const x = eq(alpha, MINUS_ONE) ? mul([0n, 1n], x0) : mul(pow2(add([1n, 0n], alpha), (P - 1n) / 2n), x0)
  return eq(mul(x, x), a) ? x : undefined
}
// the twist: y² = x³ + 3/(9 + u)
const inv = (a: bigint) => pow(a, P - 2n)
const B_TWIST: Fp2 = [mod(27n * inv(82n)), mod(-3n * inv(82n))]

/** The first point (x, y) on the twist with x = (k, 1), k = 1, 2, …: found by hand, not mapped into G2. */
function twistPoint(): { x: Fp2; y: Fp2 } {
  for (let k = 1n; ; k++) {
    const x: Fp2 = [k, 1n]
    const y = sqrt2(add(mul(mul(x, x), x), B_TWIST))
    if (y) return { x, y }
  }
}

const mclG2 = (q: { x: Fp2; y: Fp2 }) => {
  const Q = new mcl.G2()
  Q.setStr(`1 ${q.x[0]} ${q.x[1]} ${q.y[0]} ${q.y[1]}`, 10)
  return Q
}

type Proof = { proof: Groth16Proof; publicSignals: string[] }
let proofs: Proof[] = []
let pool: ProofVerifierPool

beforeAll(async () => {
  await mcl.init(mcl.BN_SNARK1)
  const sk = randomFieldElement()
  const tree = createCreditTree([creditLeaf(sk, 4n), 5n])
  for (let i = 0; i < 3; i++) {
    const p = await proveCredit({ sk, n: 4n, i: BigInt(i), tree, scope: 9n, x: 500n + BigInt(i) })
    proofs.push({ proof: p.proof, publicSignals: p.publicSignals })
  }
  pool = new ProofVerifierPool(loadVerificationKey('credit'), { engine: 'mcl', workers: 1, batchSize: 8 })
}, 60_000)
afterAll(async () => {
  await pool?.close()
  await terminateProver()
})

describe('G2 subgroup check (mcl verifier)', () => {
  it('the test point is on the twist but outside the order-r subgroup (so a check on the curve alone would take it)', () => {
    const q = twistPoint()
    const y2 = mul(q.y, q.y)
    expect(eq(y2, add(mul(mul(q.x, q.x), q.x), B_TWIST))).toBe(true)
    mcl.verifyOrderG2(false)
    try {
      const Q = mclG2(q)
      expect(Q.isValid()).toBe(true)
      expect(
        mcl
          .mul(
            Q,
            (() => {
              const r = new mcl.Fr()
              r.setStr((R - 1n).toString(), 10)
              return r
            })(),
          )
          .isEqual(mcl.neg(Q)),
      ).toBe(false) // (r − 1)·Q ≠ −Q: r·Q is not the point at infinity
    } finally {
      mcl.verifyOrderG2(true)
    }
    expect(() => mclG2(q)).toThrow()
  })

  it(
    'a proof whose B is that point is refused when parsed, before any pairing: its ' +
      'batch passes for the others, with no failed batch and no one-by-one re-check',
    async () => {
      const q = twistPoint()
      const forged: Proof = {
        proof: {
          ...proofs[1]!.proof,
          pi_b: [
            [`${q.x[0]}`, `${q.x[1]}`],
            [`${q.y[0]}`, `${q.y[1]}`],
            ['1', '0'],
          ],
        },
        publicSignals: proofs[1]!.publicSignals,
      }
      const before = pool.stats()
      // sent in one turn: one batch for the worker
      const results = await Promise.all(
        [proofs[0]!, forged, proofs[2]!].map((p) => pool.verify(p.proof, p.publicSignals)),
      )
      expect(results).toEqual([true, false, true])
      const after = pool.stats()
      expect({
        batchesPassed: after.batchesPassed - before.batchesPassed,
        proofsInPassedBatches: after.proofsInPassedBatches - before.proofsInPassedBatches,
        batchesFailed: after.batchesFailed - before.batchesFailed,
        checkedOneByOne: after.checkedOneByOne - before.checkedOneByOne,
      }).toEqual({ batchesPassed: 1, proofsInPassedBatches: 2, batchesFailed: 0, checkedOneByOne: 0 })
    },
  )

  it("a split check: the e(-A, B) half's subgroup verdict decides with the pairing, so a B outside G2 is refused", async () => {
    // the two halves driven by hand, as the pool drives them, over memory this test can read and
    // change: the pairing of a valid proof is 1, so only the verdict can make the answer false
    const buffer = new SharedArrayBuffer(SPLIT_BYTES)
    const words = new Int32Array(buffer, 0, 6)
    const workerData = {
      vkey: loadVerificationKey('credit'),
      engine: 'mcl',
      batchSize: 32,
      batchWaitMs: 0,
      warmUp: 0,
      splitBuffer: buffer,
    }
    const url = fileURLToPath(new URL('./verify-worker.mjs', import.meta.url))
    const [ab, lc] = [new Worker(url, { workerData }), new Worker(url, { workerData })] as const
    try {
      await Promise.all([ab, lc].map((w) => new Promise((r) => w.once('message', r))))
      /** The 'ab' half of split `id`; resolves with its subgroup verdict's length (0 in G2, -1 not). */
      const abHalf = async (id: number, item: Proof) => {
        ab.postMessage({ split: { id, half: 'ab', item } })
        // word 4 holds the id of the split whose verdict is written (as id + 1: never 0), word 5 the verdict
        for (let v = Atomics.load(words, 4); v !== id + 1; v = Atomics.load(words, 4))
          await waitAsync(words, 4, v).value
        return Atomics.load(words, 5)
      }
      const lcHalf = (id: number, item: Proof) =>
        new Promise<boolean>((resolve) => {
          const on = (m: { id?: number; ok?: boolean }) => {
            if (m.id !== id) return
            lc.off('message', on)
            resolve(m.ok === true)
          }
          lc.on('message', on)
          lc.postMessage({ split: { id, half: 'lc', item } })
        })
      const valid = proofs[2]!
      expect(await abHalf(1, valid)).toBe(0)
      expect(await lcHalf(1, valid)).toBe(true)
      // the same valid proof, its verdict turned to "not in the subgroup": refused
      expect(await abHalf(2, valid)).toBe(0)
      Atomics.store(words, 5, -1)
      expect(await lcHalf(2, valid)).toBe(false)
      // and the twist point, not in the subgroup, gets that verdict from the 'ab' half itself
      const q = twistPoint()
      const forged: Proof = {
        proof: {
          ...valid.proof,
          pi_b: [
            [`${q.x[0]}`, `${q.x[1]}`],
            [`${q.y[0]}`, `${q.y[1]}`],
            ['1', '0'],
          ],
        },
        publicSignals: valid.publicSignals,
      }
      expect(await abHalf(3, forged)).toBe(-1)
      expect(await lcHalf(3, forged)).toBe(false)
    } finally {
      await Promise.all([ab.terminate(), lc.terminate()])
    }
  })

  it('through the pool: a lone proof with that B, split between two workers, is refused', async () => {
    const two = new ProofVerifierPool(loadVerificationKey('credit'), { engine: 'mcl', workers: 2 })
    try {
      const q = twistPoint()
      const forged: Proof = {
        proof: {
          ...proofs[2]!.proof,
          pi_b: [
            [`${q.x[0]}`, `${q.x[1]}`],
            [`${q.y[0]}`, `${q.y[1]}`],
            ['1', '0'],
          ],
        },
        publicSignals: proofs[2]!.publicSignals,
      }
      expect(await two.verify(forged.proof, forged.publicSignals)).toBe(false)
      expect(await two.verify(proofs[2]!.proof, proofs[2]!.publicSignals)).toBe(true)
      expect(two.stats().checkedSplit).toBe(2)
    } finally {
      await two.close()
    }
  })
})

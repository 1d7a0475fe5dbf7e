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
import { ProofVerifierPool } from './verifier.ts'

type P = { proof: Groth16Proof; publicSignals: string[] }
let proofs: P[] = []
const pools: ProofVerifierPool[] = []

beforeAll(async () => {
  const sk = randomFieldElement()
  const tree = createCreditTree([creditLeaf(sk, 9n), 5n, 6n])
  for (let i = 0; i < 4; i++) {
    const p = await proveCredit({ sk, n: 9n, i: BigInt(i), tree, scope: 77n, x: 1000n + BigInt(i) })
    proofs.push({ proof: p.proof, publicSignals: p.publicSignals })
  }
}, 60_000)
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()))
  await terminateProver()
})

const tamperedSignal = (p: P): P => ({
  proof: p.proof,
  publicSignals: p.publicSignals.map((s, i) => (i === 1 ? (BigInt(s) + 1n).toString() : s)),
})
// a point that is not on the curve at all
const offCurve = (p: P): P => ({
  proof: { ...p.proof, pi_a: ['1', '3', '1'] } as Groth16Proof,
  publicSignals: p.publicSignals,
})

describe('ProofVerifierPool', () => {
  for (const engine of ['mcl', 'snarkjs'] as const) {
    it(`${engine}: accepts valid proofs and refuses tampered ones, also mixed in one batch`, async () => {
      const pool = new ProofVerifierPool(loadVerificationKey('credit'), {
        engine,
        workers: 1,
        batchSize: 8,
        batchWaitMs: 5,
      })
      pools.push(pool)
      const items = [
        proofs[0]!,
        tamperedSignal(proofs[1]!),
        proofs[2]!,
        offCurve(proofs[3]!),
        proofs[3]!,
        { proof: proofs[0]!.proof, publicSignals: proofs[1]!.publicSignals },
      ]
      // sent together, so mcl checks them as one batch, finds it bad, and re-checks each
      const results = await Promise.all(items.map((p) => pool.verify(p.proof, p.publicSignals)))
      expect(results).toEqual([true, false, true, false, true, false])
      // an all-valid batch passes as a batch
      expect(await Promise.all(proofs.map((p) => pool.verify(p.proof, p.publicSignals)))).toEqual([
        true,
        true,
        true,
        true,
      ])
    }, 60_000)
  }

  it('mcl: a valid batch is accepted by the batch check (one pairing product), not by the per-proof fallback', async () => {
    const pool = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1, batchSize: 8, batchWaitMs: 5 })
    pools.push(pool)
    const none = { batchesPassed: 0, proofsInPassedBatches: 0, batchesFailed: 0, checkedOneByOne: 0, checkedSplit: 0 }
    expect(pool.stats()).toEqual(none)
    // four distinct valid proofs sent together: one batch, which passes as a batch
    expect(await Promise.all(proofs.map((p) => pool.verify(p.proof, p.publicSignals)))).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(pool.stats()).toEqual({ ...none, batchesPassed: 1, proofsInPassedBatches: 4 })
    // a batch with a tampered proof is bisected: [g] alone, then [bad, g] fails and splits in two
    const mixed = [proofs[0]!, tamperedSignal(proofs[1]!), proofs[2]!]
    expect(await Promise.all(mixed.map((p) => pool.verify(p.proof, p.publicSignals)))).toEqual([true, false, true])
    expect(pool.stats()).toEqual({
      ...none,
      batchesPassed: 1,
      proofsInPassedBatches: 4,
      batchesFailed: 2,
      checkedOneByOne: 3,
    })
  }, 60_000)

  it('mcl: a failing batch finds its bad proof by bisection: 11 checks for one bad proof among 32, not 33', async () => {
    const pool = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1, batchSize: 32, batchWaitMs: 5 })
    pools.push(pool)
    const bad = 21
    const items = Array.from({ length: 32 }, (_, k) => (k === bad ? tamperedSignal(proofs[k % 4]!) : proofs[k % 4]!))
    const results = await Promise.all(items.map((p) => pool.verify(p.proof, p.publicSignals)))
    expect(results).toEqual(items.map((_, k) => k !== bad))
    // 32 fails; of each failing half one half passes (16, 8, 4, 2) and one fails (16, 8, 4, 2); the last pair is checked alone
    expect(pool.stats()).toMatchObject({
      batchesPassed: 4,
      proofsInPassedBatches: 30,
      batchesFailed: 5,
      checkedOneByOne: 2,
    })
    const checks = Object.values(pool.stats()).reduce((a, b) => a + b, 0) - pool.stats().proofsInPassedBatches
    expect(checks).toBe(11)
  }, 60_000)

  it('mcl: a batch of junk stops bisecting once both halves fail, and checks the rest one by one', async () => {
    const pool = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1, batchSize: 8, batchWaitMs: 5 })
    pools.push(pool)
    const junk = Array.from({ length: 8 }, (_, k) => tamperedSignal(proofs[k % 4]!))
    expect(await Promise.all(junk.map((p) => pool.verify(p.proof, p.publicSignals)))).toEqual(Array(8).fill(false))
    // 8 fails, both halves of 4 fail: the 8 proofs are checked alone (pure bisection would take 7 more batch checks)
    expect(pool.stats()).toMatchObject({
      batchesPassed: 0,
      proofsInPassedBatches: 0,
      batchesFailed: 3,
      checkedOneByOne: 8,
    })
  }, 60_000)

  it('mcl, two workers: a lone proof is split between them (e(-A, B) on one, the rest on the other) and gets the same verdicts', async () => {
    const pool = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 2 })
    pools.push(pool)
    const badC = (p: P): P => ({ proof: { ...p.proof, pi_c: p.proof.pi_a }, publicSignals: p.publicSignals })
    const badB = (p: P): P => ({ proof: { ...p.proof, pi_b: proofs[1]!.proof.pi_b }, publicSignals: p.publicSignals })
    const fewer = (p: P): P => ({ proof: p.proof, publicSignals: p.publicSignals.slice(1) })
    const cases: Array<[string, P, boolean]> = [
      ['valid', proofs[0]!, true],
      ['a public signal changed', tamperedSignal(proofs[1]!), false],
      ['A off the curve (the e(-A, B) half fails to parse)', offCurve(proofs[2]!), false],
      ['C of another point (the other half)', badC(proofs[2]!), false],
      ['B of another proof', badB(proofs[0]!), false],
      ['a signal missing', fewer(proofs[3]!), false],
      ['valid again', proofs[3]!, true],
    ]
    // one at a time, so each is a lone proof with both workers idle
    for (const [what, p, ok] of cases) expect(await pool.verify(p.proof, p.publicSignals), what).toBe(ok)
    expect(pool.stats()).toMatchObject({ checkedSplit: cases.length, checkedOneByOne: 0, batchesPassed: 0 })
    // proofs sent together are not split: they go to the workers as batches
    expect(await Promise.all(proofs.map((p) => pool.verify(p.proof, p.publicSignals)))).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(pool.stats().checkedSplit).toBe(cases.length)
    // splitting is an option: off, a lone proof is checked by one worker
    const whole = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 2, splitLoneProofs: false })
    pools.push(whole)
    expect(await whole.verify(proofs[0]!.proof, proofs[0]!.publicSignals)).toBe(true)
    expect(whole.stats()).toMatchObject({ checkedSplit: 0, checkedOneByOne: 1 })
  }, 60_000)
})

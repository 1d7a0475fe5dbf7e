// Real Groth16 proofs of credit.circom with the committed artifacts. The "circuit rejects"
// cases bypass the TypeScript validation (creditCircuitInput + calculateWitness/proveUnchecked)
// so that it is the circuit's constraints that say no.
import { poseidon2 } from 'poseidon-lite'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  CREDIT_PUBLIC_SIGNALS,
  SNARK_FIELD,
  createCreditTree,
  merkleProofInputs,
  messageX,
  parseCreditSignals,
  proveCredit,
  randomFieldElement,
  recoverSecret,
  shareY,
  terminateProver,
  ticketA1,
  ticketNullifier,
  toSolidityCalldata,
  verifyCredit,
  type CircuitMerkleProof,
  type CreditProof,
} from '../src/index.ts'
import { creditCircuitInput } from '../src/credit.ts'
import { WitnessError } from '../src/errors.ts'
import { calculateWitness, proveUnchecked } from '../src/prover.ts'
import { deposit, rawLeaf, treeWith } from './fixtures.ts'

afterAll(terminateProver)
// circom's witness calculator console.error()s every failed constraint before it throws;
// the rejections below are expected, so keep their noise out of the test output.
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

const scope = randomFieldElement()

describe('a valid credit proof', () => {
  const d = deposit(10n)
  const tree = treeWith(d.leaf, 6, 3)
  const i = 4n
  let first: CreditProof
  let second: CreditProof

  beforeAll(async () => {
    first = await proveCredit({ sk: d.sk, n: d.n, i, scope, x: messageX('GET /v1/chat #1'), tree })
    second = await proveCredit({ sk: d.sk, n: d.n, i, scope, x: messageX('GET /v1/chat #2'), tree })
  })

  it('verifies, and its public signals are [y, nullifier, root, scope, x] as TS computes them', async () => {
    expect(await verifyCredit(first.proof, first.publicSignals)).toBe(true)
    const x = messageX('GET /v1/chat #1')
    const a1 = ticketA1(d.sk, scope, i)
    expect(CREDIT_PUBLIC_SIGNALS).toEqual(['y', 'nullifier', 'root', 'scope', 'x'])
    expect(parseCreditSignals(first.publicSignals)).toEqual({
      y: shareY(d.sk, a1, x),
      nullifier: ticketNullifier(d.sk, scope, i),
      root: tree.root,
      scope,
      x,
    })
    expect(first).toMatchObject({ y: shareY(d.sk, a1, x), nullifier: ticketNullifier(d.sk, scope, i), root: tree.root })
  })

  it('does not verify with any public signal changed', async () => {
    for (let k = 0; k < first.publicSignals.length; k++) {
      const tampered = [...first.publicSignals]
      tampered[k] = (BigInt(tampered[k] as string) + 1n).toString()
      expect(await verifyCredit(first.proof, tampered), `signal ${CREDIT_PUBLIC_SIGNALS[k]}`).toBe(false)
    }
    expect(await verifyCredit(first.proof, first.publicSignals.slice(1))).toBe(false)
  })

  it('spending the same ticket twice keeps the nullifier and gives sk away', () => {
    expect(second.nullifier).toBe(first.nullifier)
    const s1 = parseCreditSignals(first.publicSignals)
    const s2 = parseCreditSignals(second.publicSignals)
    expect(s1.x).not.toBe(s2.x)
    expect(recoverSecret({ x: s1.x, y: s1.y }, { x: s2.x, y: s2.y })).toBe(d.sk)
  })

  it('another ticket has another nullifier', async () => {
    const other = await proveCredit({ sk: d.sk, n: d.n, i: i + 1n, scope, x: messageX('GET /v1/chat #1'), tree })
    expect(other.nullifier).not.toBe(first.nullifier)
    expect(await verifyCredit(other.proof, other.publicSignals)).toBe(true)
    // shares of two different tickets lie on different lines: no secret falls out
    const so = parseCreditSignals(other.publicSignals)
    const s2 = parseCreditSignals(second.publicSignals)
    expect(recoverSecret({ x: so.x, y: so.y }, { x: s2.x, y: s2.y })).not.toBe(d.sk)
  })

  it('converts to the Solidity verifier calldata as snarkjs does', async () => {
    const calldata = toSolidityCalldata(first.proof, first.publicSignals)
    const expected = JSON.parse(
      `[${await snarkjs.groth16.exportSolidityCallData(first.proof, first.publicSignals)}]`,
    ) as unknown
    const hex = (v: unknown): unknown => (Array.isArray(v) ? v.map(hex) : BigInt(v as bigint))
    expect(hex(expected)).toEqual([calldata.a, calldata.b, calldata.c, calldata.pub])
  })
})

describe('the credit circuit rejects', () => {
  const d = deposit(5n)
  const tree = treeWith(d.leaf, 5, 2)
  const merkle = merkleProofInputs(tree, 2)
  const good = { sk: d.sk, n: d.n, i: 1n, scope, x: 42n, root: tree.root, merkle }
  const witness = (change: Partial<typeof good>) =>
    calculateWitness('credit', creditCircuitInput({ ...good, ...change }))
  const withMerkle = (change: Partial<CircuitMerkleProof>) => ({ merkle: { ...merkle, ...change } })

  it('accepts the unchanged inputs (so each rejection below is about its one change)', async () => {
    await expect(witness({})).resolves.toBeUndefined()
  })

  const cases: Array<[string, Partial<typeof good>]> = [
    ['i = n', { i: 5n }],
    ['i > n', { i: 6n }],
    ['i = p - 1 (would wrap around without the range check)', { i: SNARK_FIELD - 1n }],
    ['i = 2^32 + 1', { i: 2n ** 32n + 1n }],
    ['a wrong root', { root: tree.root + 1n }],
    ['a wrong sk', { sk: d.sk + 1n }],
    ['a wrong n', { n: 6n }],
    ['a wrong sibling', withMerkle({ siblings: merkle.siblings.map((s, k) => (k === 0 ? s + 1n : s)) })],
    ['a wrong index', withMerkle({ index: merkle.index ^ 1 })],
    ['a depth too small', withMerkle({ depth: merkle.depth - 1 })],
    ['a depth too large', withMerkle({ depth: merkle.depth + 1 })],
    ['a depth past 20 (root 0)', { root: 0n, ...withMerkle({ depth: 21 }) }],
    ['x = 0 (y would be sk)', { x: 0n }],
  ]
  for (const [label, change] of cases) {
    it(label, async () => {
      await expect(witness(change)).rejects.toBeInstanceOf(WitnessError)
    })
  }

  it('n >= 2^32, even for a leaf that is in the tree', async () => {
    const n = 2n ** 32n + 3n
    const big = treeWith(rawLeaf(d.sk, n), 3, 1)
    const input = { ...good, n, i: 2n ** 32n, root: big.root, merkle: merkleProofInputs(big, 1) }
    await expect(calculateWitness('credit', creditCircuitInput(input))).rejects.toBeInstanceOf(WitnessError)
    // the same leaf with a small i fails too: n itself is out of range
    await expect(calculateWitness('credit', creditCircuitInput({ ...input, i: 0n }))).rejects.toBeInstanceOf(
      WitnessError,
    )
  })

  it('and no proof comes out of the prover either', async () => {
    await expect(proveUnchecked('credit', creditCircuitInput({ ...good, i: SNARK_FIELD - 1n }))).rejects.toBeInstanceOf(
      WitnessError,
    )
  })
})

describe('LeanIMT roots in TS and in the circuit agree', () => {
  // Every leaf of every tree: the witness only exists if the circuit's root is tree.root.
  for (const size of [1, 2, 3, 5, 8, 13]) {
    it(`size ${size}`, async () => {
      const leaves = Array.from({ length: size }, () => deposit(3n))
      const tree = createCreditTree(leaves.map((l) => l.leaf))
      for (const [k, l] of leaves.entries()) {
        const input = { sk: l.sk, n: l.n, i: 2n, scope, x: 1n, root: tree.root, merkle: merkleProofInputs(tree, k) }
        await expect(calculateWitness('credit', creditCircuitInput(input)), `leaf ${k}`).resolves.toBeUndefined()
        await expect(
          calculateWitness('credit', creditCircuitInput({ ...input, root: poseidon2([tree.root, 0n]) })),
        ).rejects.toThrow()
      }
    })
  }

  it('random sizes up to 300, random leaves, incremental inserts', async () => {
    for (const size of [37, 100, 255, 300]) {
      const leaves = Array.from({ length: size }, () => deposit(1n))
      const tree = createCreditTree()
      for (const l of leaves) tree.insert(l.leaf) // insert() and insertMany() must agree
      expect(tree.root).toBe(createCreditTree(leaves.map((l) => l.leaf)).root)
      for (const k of [0, size - 1, Math.floor(Math.random() * size)]) {
        const l = leaves[k]!
        const input = { sk: l.sk, n: l.n, i: 0n, scope, x: 1n, root: tree.root, merkle: merkleProofInputs(tree, k) }
        await expect(
          calculateWitness('credit', creditCircuitInput(input)),
          `size ${size} leaf ${k}`,
        ).resolves.toBeUndefined()
      }
    }
  })
})

// The TypeScript side alone: field arithmetic, hashes, trees, validation. No proofs here.
import { LeanIMT } from '@zk-kit/lean-imt'
import { poseidon1, poseidon2, poseidon3 } from 'poseidon-lite'
import { describe, expect, it } from 'vitest'
import {
  CircuitInputError,
  MAX_DEPTH,
  SNARK_FIELD,
  SameXError,
  addressToField,
  createCreditTree,
  creditLeaf,
  identityCommitment,
  merkleProofInputs,
  messageX,
  proveCredit,
  randomFieldElement,
  recoverSecret,
  shareY,
  ticketA1,
  ticketNullifier,
  toField,
} from '../src/index.ts'
import { modInverse } from '../src/field.ts'
import { deposit } from './fixtures.ts'

describe('field helpers', () => {
  it('reduces into [0, p), negatives included', () => {
    expect(toField(SNARK_FIELD)).toBe(0n)
    expect(toField(-1n)).toBe(SNARK_FIELD - 1n)
    expect(toField(SNARK_FIELD * 3n + 5n)).toBe(5n)
  })

  it('draws distinct field elements below p', () => {
    const draws = Array.from({ length: 200 }, () => randomFieldElement())
    expect(new Set(draws).size).toBe(200)
    for (const v of draws) expect(v >= 0n && v < SNARK_FIELD).toBe(true)
    // 254-bit draws: some must use the top bits, or the sampler would be biased low
    expect(draws.some((v) => v > SNARK_FIELD / 2n)).toBe(true)
  })

  it('inverts modulo p', () => {
    for (const a of [1n, 2n, SNARK_FIELD - 1n, randomFieldElement()]) expect(toField(a * modInverse(a))).toBe(1n)
    expect(() => modInverse(0n)).toThrow(RangeError)
  })
})

describe('hashes', () => {
  it('are the Poseidon compositions the circuits use', () => {
    const sk = randomFieldElement()
    const scope = randomFieldElement()
    expect(identityCommitment(sk)).toBe(poseidon1([sk]))
    expect(creditLeaf(sk, 7)).toBe(poseidon2([poseidon1([sk]), 7n]))
    expect(ticketA1(sk, scope, 3)).toBe(poseidon3([sk, scope, 3n]))
    expect(ticketNullifier(sk, scope, 3)).toBe(poseidon1([poseidon3([sk, scope, 3n])]))
  })

  it('refuse values outside the field or the 32-bit ticket range', () => {
    expect(() => identityCommitment(SNARK_FIELD)).toThrow(CircuitInputError)
    expect(() => creditLeaf(1n, 2n ** 32n)).toThrow(CircuitInputError)
    expect(() => ticketA1(1n, 1n, -1)).toThrow(CircuitInputError)
  })

  it('messageX is sha256 mod p', () => {
    const expected = toField(BigInt('0x' + 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'))
    expect(messageX('abc')).toBe(expected)
    expect(messageX(new TextEncoder().encode('abc'))).toBe(expected)
  })
})

describe('recoverSecret', () => {
  it('gets sk back from two shares of one line, mod p', () => {
    const sk = randomFieldElement()
    const a1 = randomFieldElement()
    const [x1, x2] = [randomFieldElement(), randomFieldElement()]
    expect(recoverSecret({ x: x1, y: shareY(sk, a1, x1) }, { x: x2, y: shareY(sk, a1, x2) })).toBe(sk)
    // a large x so a1·x wraps around p many times: integer division would be wrong here
    const big = SNARK_FIELD - 2n
    expect(recoverSecret({ x: 1n, y: shareY(sk, a1, 1n) }, { x: big, y: shareY(sk, a1, big) })).toBe(sk)
  })

  it('throws a typed error for equal x', () => {
    expect(() => recoverSecret({ x: 5n, y: 1n }, { x: 5n, y: 2n })).toThrow(SameXError)
  })
})

describe('credit tree', () => {
  it('pads LeanIMT proofs to MAX_DEPTH with the depth and packed index of zk-kit', () => {
    const tree = createCreditTree([1n, 2n, 3n, 4n, 5n])
    // leaf 4 has no sibling on levels 0 and 1: one real sibling, the left subtree root
    const last = merkleProofInputs(tree, 4)
    expect(last.depth).toBe(1)
    expect(last.index).toBe(1)
    expect(last.siblings).toHaveLength(MAX_DEPTH)
    expect(last.siblings.slice(1).every((s) => s === 0n)).toBe(true)
    const first = merkleProofInputs(tree, 0)
    expect(first.depth).toBe(3)
    expect(first.index).toBe(0)
    expect(merkleProofInputs(createCreditTree([9n]), 0)).toMatchObject({ depth: 0, index: 0 })
    expect(() => merkleProofInputs(tree, 5)).toThrow(CircuitInputError)
  })

  it('hashes with Poseidon(2)', () => {
    const tree = createCreditTree([1n, 2n, 3n])
    expect(tree.root).toBe(poseidon2([poseidon2([1n, 2n]), 3n]))
    expect(tree.root).toBe(new LeanIMT<bigint>((a, b) => poseidon2([a, b]), [1n, 2n, 3n]).root)
  })
})

describe('input validation (before any proving)', () => {
  const d = deposit(4n)
  const tree = createCreditTree([d.leaf])
  const base = { sk: d.sk, n: d.n, i: 0n, scope: 1n, x: 2n, tree }
  const cases: Array<[string, Partial<Omit<typeof base, 'tree'>>, string]> = [
    ['i = n', { i: 4n }, 'i'],
    ['i >= 2^32', { i: 2n ** 32n }, 'i'],
    ['i = p - 1', { i: SNARK_FIELD - 1n }, 'i'],
    ['n >= 2^32', { n: 2n ** 32n }, 'n'],
    ['n = 0', { n: 0n }, 'n'],
    ['sk = p', { sk: SNARK_FIELD }, 'sk'],
    ['sk = 0', { sk: 0n }, 'sk'],
    ['x = 0', { x: 0n }, 'x'],
    ['scope >= p', { scope: SNARK_FIELD + 1n }, 'scope'],
    ['leaf not in tree', { n: 3n }, 'tree'],
  ]
  for (const [label, change, field] of cases) {
    it(`rejects ${label}`, async () => {
      const error = await proveCredit({ ...base, ...change }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CircuitInputError)
      expect((error as CircuitInputError).details.field).toBe(field)
    })
  }

  it('checks a given LeanIMT proof against the leaf and its root', async () => {
    const { tree: _tree, ...ticket } = base
    const proof = createCreditTree([d.leaf, 7n, 8n]).generateProof(0)
    await expect(proveCredit({ ...ticket, merkleProof: { ...proof, leaf: 7n } })).rejects.toThrow(/another leaf/)
    await expect(proveCredit({ ...ticket, merkleProof: { ...proof, root: 1n } })).rejects.toThrow(
      /does not lead to its root/,
    )
  })

  it('takes addresses as 20-byte hex or bigint', () => {
    expect(addressToField('0x00000000000000000000000000000000000000ff')).toBe(255n)
    expect(() => addressToField('0x1234')).toThrow(CircuitInputError)
    expect(() => addressToField(2n ** 160n)).toThrow(CircuitInputError)
  })
})

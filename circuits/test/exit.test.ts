import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  EXIT_PUBLIC_SIGNALS,
  parseExitSignals,
  proveExit,
  terminateProver,
  toSolidityCalldata,
  verifyExit,
  type ExitProof,
} from '../src/index.ts'
import { WitnessError } from '../src/errors.ts'
import { exitCircuitInput } from '../src/exit.ts'
import { calculateWitness } from '../src/prover.ts'
import { deposit } from './fixtures.ts'

afterAll(terminateProver)
// the witness calculator console.error()s the constraints that the rejection tests break
beforeAll(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

const recipient = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const scope = 31337n

describe('exit proof', () => {
  const d = deposit(25n)
  let exit: ExitProof

  beforeAll(async () => {
    exit = await proveExit({ sk: d.sk, n: d.n, recipient, scope })
  })

  it('verifies for its leaf, recipient and pool; signals are [leaf, recipient, scope]', async () => {
    expect(await verifyExit(exit.proof, exit.publicSignals)).toBe(true)
    expect(EXIT_PUBLIC_SIGNALS).toEqual(['leaf', 'recipient', 'scope'])
    expect(parseExitSignals(exit.publicSignals)).toEqual({ leaf: d.leaf, recipient: BigInt(recipient), scope })
    expect(toSolidityCalldata(exit.proof, exit.publicSignals).pub).toEqual([d.leaf, BigInt(recipient), scope])
  })

  it('reveals neither sk nor n', () => {
    expect(exit.publicSignals).not.toContain(d.sk.toString())
    expect(exit.publicSignals).not.toContain(d.n.toString())
  })

  it('does not verify for another recipient (no replay to someone else)', async () => {
    const other = [exit.publicSignals[0]!, (BigInt(recipient) + 1n).toString(), exit.publicSignals[2]!]
    expect(await verifyExit(exit.proof, other)).toBe(false)
  })

  it('does not verify for another leaf', async () => {
    const other = [deposit(25n).leaf.toString(), exit.publicSignals[1]!, exit.publicSignals[2]!]
    expect(await verifyExit(exit.proof, other)).toBe(false)
  })

  it('does not verify in another pool (the same leaf deposited twice cannot be exited with a copy)', async () => {
    const other = [exit.publicSignals[0]!, exit.publicSignals[1]!, (scope + 1n).toString()]
    expect(await verifyExit(exit.proof, other)).toBe(false)
  })

  it('cannot be made without the leaf secret', async () => {
    const input = { sk: d.sk, n: d.n, leaf: d.leaf, recipient: BigInt(recipient), scope }
    await expect(calculateWitness('exit', exitCircuitInput(input))).resolves.toBeUndefined()
    await expect(calculateWitness('exit', exitCircuitInput({ ...input, sk: d.sk + 1n }))).rejects.toBeInstanceOf(
      WitnessError,
    )
    await expect(calculateWitness('exit', exitCircuitInput({ ...input, n: 24n }))).rejects.toBeInstanceOf(WitnessError)
  })
})

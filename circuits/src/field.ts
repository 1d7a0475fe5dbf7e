import { randomBytes } from 'node:crypto'
import { CircuitInputError } from './errors.ts'

/** The BN254 scalar field order p: every circuit signal is an element of Z/pZ. */
export const SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** The range of `n` and `i`: the circuit range-limits both to 32 bits. */
export const MAX_TICKETS = 2n ** 32n

/** Reduces any integer (negative too) to its representative in [0, p). */
export function toField(value: bigint): bigint {
  const r = value % SNARK_FIELD
  return r < 0n ? r + SNARK_FIELD : r
}

/**
 * A uniform element of [0, p) from the OS CSPRNG. Rejection sampling on 254-bit draws rather
 * than `random mod p`, which would favour small values (2^256 is not a multiple of p).
 */
export function randomFieldElement(): bigint {
  for (;;) {
    const bytes = randomBytes(32)
    bytes[0] = (bytes[0] ?? 0) & 0x3f // keep 254 bits: p ≈ 0.76 · 2^254, so about 1 draw in 4 is rejected
    const value = BigInt(`0x${bytes.toString('hex')}`)
    if (value < SNARK_FIELD) return value
  }
}

/** a^-1 mod p by the extended Euclidean algorithm; a must be non-zero mod p. */
export function modInverse(a: bigint): bigint {
  let [oldR, r] = [toField(a), SNARK_FIELD]
  if (oldR === 0n) throw new RangeError('0 has no inverse modulo p')
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const q = oldR / r
    ;[oldR, r] = [r, oldR - q * r]
    ;[oldS, s] = [s, oldS - q * s]
  }
  return toField(oldS)
}

/** Throws unless `value` is a bigint in [0, p): the circuit would silently reduce it otherwise. */
export function requireField(field: string, value: bigint): bigint {
  if (typeof value !== 'bigint') throw new CircuitInputError(field, 'must be a bigint')
  if (value < 0n || value >= SNARK_FIELD) {
    throw new CircuitInputError(field, 'must be in [0, p) (the BN254 scalar field)', {
      hint: 'Reduce it with toField() if a reduced value is what you mean.',
    })
  }
  return value
}

/** Throws unless `value` is an integer in [0, 2^32), as the circuit's Num2Bits(32) demands. */
export function requireUint32(field: string, value: bigint | number): bigint {
  const v = typeof value === 'number' ? (Number.isSafeInteger(value) ? BigInt(value) : -1n) : value
  if (typeof v !== 'bigint' || v < 0n || v >= MAX_TICKETS) {
    throw new CircuitInputError(field, 'must be an integer in [0, 2^32)')
  }
  return v
}

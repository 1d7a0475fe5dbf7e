import { CircuitInputError } from './errors.ts'
import { requireField, requireUint32 } from './field.ts'

/** Checks what the credit circuit checks, so a bad input fails here with the field's name. */
export function validateTicket(input: {
  sk: bigint
  n: bigint | number
  i: bigint | number
  scope: bigint
  x: bigint
}): {
  sk: bigint
  n: bigint
  i: bigint
  scope: bigint
  x: bigint
} {
  const sk = requireSecret(input.sk)
  const n = requireUint32('n', input.n)
  const i = requireUint32('i', input.i)
  if (n === 0n) throw new CircuitInputError('n', 'must be at least 1 (a deposit of no tickets pays for nothing)')
  if (i >= n) throw new CircuitInputError('i', `must be below n (ticket ${i} of a deposit of ${n})`)
  const scope = requireField('scope', input.scope)
  const x = requireField('x', input.x)
  // y = sk + a1·0 would publish the secret itself; the circuit refuses x = 0 as well.
  if (x === 0n) throw new CircuitInputError('x', 'must not be 0 (y would be the secret)')
  return { sk, n, i, scope, x }
}

/** A secret in the field and not 0 (Poseidon(0) is public knowledge). */
export function requireSecret(sk: bigint): bigint {
  requireField('sk', sk)
  if (sk === 0n) throw new CircuitInputError('sk', 'must not be 0', { hint: 'Use randomFieldElement().' })
  return sk
}

const ADDRESS_LIMIT = 2n ** 160n

/** An EVM address as a field element: a 0x-prefixed 20-byte hex string, or its bigint value. */
export function addressToField(recipient: bigint | `0x${string}`): bigint {
  if (typeof recipient === 'string') {
    if (!/^0x[0-9a-fA-F]{40}$/.test(recipient)) throw new CircuitInputError('recipient', 'must be a 20-byte 0x address')
    return BigInt(recipient)
  }
  if (typeof recipient !== 'bigint' || recipient < 0n || recipient >= ADDRESS_LIMIT) {
    throw new CircuitInputError('recipient', 'must be an address (below 2^160)')
  }
  return recipient
}

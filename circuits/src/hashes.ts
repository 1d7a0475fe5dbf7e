import { poseidon1, poseidon2, poseidon3 } from 'poseidon-lite'
import { requireField, requireUint32 } from './field.ts'

// The same Poseidon (circomlib's parameters) as the circuits: poseidon-lite is a port of it.

/** The public identity of a secret: Poseidon(sk). */
export function identityCommitment(sk: bigint): bigint {
  return poseidon1([requireField('sk', sk)])
}

/** A deposit's leaf in the credit tree: Poseidon(Poseidon(sk), n), n the number of tickets. */
export function creditLeaf(sk: bigint, n: bigint | number): bigint {
  return poseidon2([identityCommitment(sk), requireUint32('n', n)])
}

/**
 * The slope of ticket `i`'s line in `scope`: Poseidon(sk, scope, i). Secret: with one share
 * (x, y) it gives sk = y - a1·x, which is why the circuit publishes Poseidon(a1) instead.
 */
export function ticketA1(sk: bigint, scope: bigint, i: bigint | number): bigint {
  return poseidon3([requireField('sk', sk), requireField('scope', scope), requireUint32('i', i)])
}

/** The nullifier of ticket `i` in `scope`: Poseidon(a1). The same for every message. */
export function ticketNullifier(sk: bigint, scope: bigint, i: bigint | number): bigint {
  return poseidon1([ticketA1(sk, scope, i)])
}

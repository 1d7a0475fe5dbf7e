import { createHash } from 'node:crypto'
import { SameXError } from './errors.ts'
import { modInverse, requireField, toField } from './field.ts'

/** One point (x, y) of a ticket's line y = sk + a1·x: what a credit proof publishes. */
export type Share = { x: bigint; y: bigint }

/**
 * Hashes a message (a request, say) into the field: sha256 of its bytes (UTF-8 for a string),
 * read big-endian and reduced mod p. The reduction bias (2^256 mod p over 2^256) is negligible.
 */
export function messageX(message: string | Uint8Array): bigint {
  const bytes = typeof message === 'string' ? new TextEncoder().encode(message) : message
  return toField(BigInt(`0x${createHash('sha256').update(bytes).digest('hex')}`))
}

/** y = sk + a1·x mod p, as the circuit computes it. */
export function shareY(sk: bigint, a1: bigint, x: bigint): bigint {
  return toField(requireField('sk', sk) + requireField('a1', a1) * requireField('x', x))
}

/**
 * The secret behind two shares of the same ticket (a double spend): the line through them
 * meets x = 0 at sk. All in Z/pZ: a1 = (y2 - y1)·(x2 - x1)^-1, sk = y1 - a1·x1.
 */
export function recoverSecret(share1: Share, share2: Share): bigint {
  const x1 = requireField('share1.x', share1.x)
  const y1 = requireField('share1.y', share1.y)
  const x2 = requireField('share2.x', share2.x)
  const y2 = requireField('share2.y', share2.y)
  if (x1 === x2) throw new SameXError()
  const a1 = toField((y2 - y1) * modInverse(x2 - x1))
  return toField(y1 - a1 * x1)
}

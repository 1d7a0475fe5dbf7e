import { CircuitInputError } from './errors.ts'

/**
 * The order of public signals in snarkjs's `publicSignals` and in the Solidity verifier's
 * `pub` array: circom lists the outputs first, then the public inputs in the order the
 * template declares them (not the order of `{public [...]}`). build.ts checks these lists
 * against the compiler's .sym file, so they cannot drift from the circuits.
 */
export const CREDIT_PUBLIC_SIGNALS = ['y', 'nullifier', 'root', 'scope', 'x'] as const
export const EXIT_PUBLIC_SIGNALS = ['leaf', 'recipient', 'scope'] as const

export type CreditSignals = Record<(typeof CREDIT_PUBLIC_SIGNALS)[number], bigint>
export type ExitSignals = Record<(typeof EXIT_PUBLIC_SIGNALS)[number], bigint>

function parseSignals<const K extends string>(
  names: readonly K[],
  publicSignals: readonly string[],
): Record<K, bigint> {
  if (publicSignals.length !== names.length) {
    throw new CircuitInputError(
      'publicSignals',
      `expected ${names.length} values (${names.join(', ')}), got ${publicSignals.length}`,
    )
  }
  const out = {} as Record<K, bigint>
  names.forEach((name, k) => {
    out[name] = BigInt(publicSignals[k] as string)
  })
  return out
}

/** Names the public signals of a credit proof: `[y, nullifier, root, scope, x]`. */
export function parseCreditSignals(publicSignals: readonly string[]): CreditSignals {
  return parseSignals(CREDIT_PUBLIC_SIGNALS, publicSignals)
}

/** Names the public signals of an exit proof: `[leaf, recipient]`. */
export function parseExitSignals(publicSignals: readonly string[]): ExitSignals {
  return parseSignals(EXIT_PUBLIC_SIGNALS, publicSignals)
}

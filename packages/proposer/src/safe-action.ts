/**
 * The catalogue's Safe action: `execTransaction` on a Safe 1.4.1 for one inner call that Hermit built.
 * Its own file (no import of actions.ts) so the catalogue can include it without an import cycle.
 */
import { concat, encodeFunctionData, getAddress, isAddress, pad, zeroAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { safeAbi } from '@hermit/devnet'

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), 'an address (0x + 40 hex digits)')
  .transform((s) => getAddress(s))
const whole = z.union([z.bigint(), z.string().regex(/^\d{1,78}$/)]).transform((v) => BigInt(v))
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'hex bytes') as z.ZodType<Hex, Hex | string>

export const safeExecSchema = z.strictObject({
  kind: z.literal('safe.exec'),
  safe: address,
  /** The inner call: Hermit built it from the words, as any other catalogue action. */
  to: address,
  value: whole,
  data: hex,
  /** The Safe's nonce when the proposal was made: a later Safe transaction makes this one invalid. */
  nonce: whole,
  /** The owners' signatures, sorted by owner, 65 bytes each (Safe's `checkNSignatures` form). */
  signatures: hex.refine((s) => (s.length - 2) % 130 === 0 && s.length > 2, 'one or more 65-byte signatures'),
})
export type SafeExecAction = z.output<typeof safeExecSchema>

/**
 * Safe's "pre-validated" signature of `owner`: r = the owner, s = 0, v = 1. The Safe accepts it only
 * when the owner itself sends `execTransaction`, so it stands in for an owner that signs the outer
 * transaction (a proposal made without the key, e.g. `--from`).
 */
export function preValidatedSignature(owner: Address): Hex {
  return concat([pad(owner, { size: 32 }), pad('0x00', { size: 32 }), '0x01'])
}

/** `execTransaction` with operation call and no refund: the owner pays its own gas. */
export function buildSafeExec(a: SafeExecAction): { to: Address; data: Hex; value: bigint } {
  return {
    to: a.safe,
    data: encodeFunctionData({
      abi: safeAbi,
      functionName: 'execTransaction',
      args: [a.to, a.value, a.data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, a.signatures],
    }),
    value: 0n,
  }
}

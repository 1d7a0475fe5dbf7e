import { isAddressEqual, zeroAddress, type Address } from 'viem'
import { PaymentError } from './errors.ts'
import { signedBy } from './one-time-key.ts'
import { oneTimeKeySignedString, oneTimeKeyX, requestBinding } from './protocol.ts'

/** The circuit's public signals by name (`[y, nullifier, root, scope, x]` on the wire). */
export type PaymentSignals = { y: bigint; nullifier: bigint; root: bigint; scope: bigint; x: bigint }

/** What a payment claims: from a PAYMENT-SIGNATURE (a call) or a PAYMENT-PREVERIFY (a proof ahead of its call). */
export type PaymentClaim = {
  /** The requirements the client says it paid against (x402's `accepted`): pool, chain, price and asset. */
  accepted: { payTo: Address; network: string; amount: string; asset: Address }
  publicSignals: readonly [bigint, bigint, bigint, bigint, bigint]
  /** A precomputed proof's one-time key; `signature` (over the request) only on a call. */
  oneTimeKey?: { publicKey: string; signature?: string } | undefined
}

/** What a claim is checked against: the pool, and the call it pays for — or `ahead` for a proof sent before its call. */
export type PaymentTarget = {
  /** `token` null: native ETH (the zero address in `asset`). */
  pool: { address: Address; chainId: number; scope: bigint; price: bigint; token: Address | null }
  binding: { request: { method: string; url: string; body: Uint8Array } } | 'ahead'
}

export type PaymentCheck = { ok: true; signals: PaymentSignals } | { ok: false; refusal: PaymentError }

const refuse = (...args: ConstructorParameters<typeof PaymentError>): PaymentCheck => ({
  ok: false,
  refusal: new PaymentError(...args),
})

/**
 * The checks every payment passes before its root, its nullifier and its proof are looked at, for a
 * call and for a proof checked ahead alike: the pool and network, the pool's scope, and what `x`
 * binds the proof to — this very request, or a one-time key (whose signature over the proof's root
 * and nullifier and the request a call must carry). Pure: no chain, no clock, no pairing; the
 * cheapest checks come first and the first failing one is the refusal.
 */
export function checkPayment(claim: PaymentClaim, target: PaymentTarget): PaymentCheck {
  const [y, nullifier, root, scope, x] = claim.publicSignals
  const { pool, binding } = target
  if (!isAddressEqual(claim.accepted.payTo, pool.address) || claim.accepted.network !== `eip155:${pool.chainId}`)
    return refuse('ZKPAY_WRONG_POOL', 'The payment is for another pool or chain.')
  // x402: the accepted offer must be this one, price and asset too, not only where it is paid
  if (
    claim.accepted.amount !== pool.price.toString() ||
    !isAddressEqual(claim.accepted.asset, pool.token ?? zeroAddress)
  )
    return refuse('ZKPAY_WRONG_PRICE', 'The payment accepted another price or asset than this pool charges.')
  if (scope !== pool.scope) return refuse('ZKPAY_WRONG_SCOPE', "The proof's scope is not this pool's.")
  const key = claim.oneTimeKey
  if (key) {
    if (x !== oneTimeKeyX(key.publicKey))
      return refuse('ZKPAY_WRONG_KEY', 'The proof is bound to another one-time key.')
    if (binding !== 'ahead') {
      // a precomputed proof: its one-time key signs this proof's root and nullifier and this very request
      const { method, url, body } = binding.request
      const signed = oneTimeKeySignedString({ root, nullifier }, method, url, body)
      if (!key.signature || !signedBy(key.publicKey, key.signature, signed))
        return refuse(
          'ZKPAY_WRONG_REQUEST',
          "The one-time key did not sign this request (with this proof's root and nullifier).",
        )
    }
  } else if (binding === 'ahead') {
    return refuse('ZKPAY_WRONG_KEY', 'A proof sent ahead of its call must be bound to a one-time key.')
  } else if (x !== requestBinding(binding.request.method, binding.request.url, binding.request.body)) {
    return refuse('ZKPAY_WRONG_REQUEST', 'The proof is bound to another request.')
  }
  return { ok: true, signals: { y, nullifier, root, scope, x } }
}

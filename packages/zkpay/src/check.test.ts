import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { checkPayment, type PaymentClaim, type PaymentTarget } from './check.ts'
import { oneTimeKeySignedString, oneTimeKeyX, requestBinding } from './protocol.ts'

const pool = {
  address: '0x1111111111111111111111111111111111111111',
  chainId: 31337,
  scope: 77n,
  price: 1000n,
  token: null,
} as const
const call = (method: string, url: string, body: string): PaymentTarget => ({
  pool,
  binding: { request: { method, url, body: new TextEncoder().encode(body) } },
})
const accepted = {
  payTo: pool.address,
  network: 'eip155:31337',
  amount: '1000',
  asset: '0x0000000000000000000000000000000000000000',
} as const
const claimFor = (x: bigint, extra: Partial<PaymentClaim> = {}): PaymentClaim => ({
  accepted,
  publicSignals: [1n, 2n, 3n, pool.scope, x],
  ...extra,
})
const codeOf = (claim: PaymentClaim, target: PaymentTarget) => {
  const check = checkPayment(claim, target)
  return check.ok ? 'ok' : check.refusal.code
}

// signed by noble, checked by node:crypto: two implementations of Ed25519 agree
const secretKey = ed25519.utils.randomSecretKey()
const publicKey = `0x${bytesToHex(ed25519.getPublicKey(secretKey))}`
// claimFor's proofs have nullifier 2 and root 3
const sign = (method: string, url: string, body: string, signals = { root: 3n, nullifier: 2n }) =>
  `0x${bytesToHex(ed25519.sign(new TextEncoder().encode(oneTimeKeySignedString(signals, method, url, body)), secretKey))}`

describe('checkPayment: one pure check for a call and for a proof sent ahead', () => {
  it('accepts a proof bound to this very request, and names its public signals', () => {
    const check = checkPayment(claimFor(requestBinding('POST', '/v1/chat', 'hi')), call('POST', '/v1/chat', 'hi'))
    expect(check).toEqual({
      ok: true,
      signals: { y: 1n, nullifier: 2n, root: 3n, scope: 77n, x: requestBinding('POST', '/v1/chat', 'hi') },
    })
  })

  it('refuses another pool, chain, scope or request, in that order, each with its code and a 400', () => {
    const x = requestBinding('POST', '/v1/chat', 'hi')
    const target = call('POST', '/v1/chat', 'hi')
    const otherPool = { accepted: { ...accepted, payTo: '0x2222222222222222222222222222222222222222' as const } }
    expect(codeOf(claimFor(x, otherPool), target)).toBe('ZKPAY_WRONG_POOL')
    expect(codeOf(claimFor(x, { accepted: { ...accepted, network: 'eip155:1' } }), target)).toBe('ZKPAY_WRONG_POOL')
    expect(codeOf({ ...claimFor(x), publicSignals: [1n, 2n, 3n, 5n, x] }, target)).toBe('ZKPAY_WRONG_SCOPE')
    expect(codeOf({ ...claimFor(x, otherPool), publicSignals: [1n, 2n, 3n, 5n, x] }, target)).toBe('ZKPAY_WRONG_POOL')
    expect(codeOf(claimFor(x), call('POST', '/v1/chat', 'other body'))).toBe('ZKPAY_WRONG_REQUEST')
    expect(codeOf(claimFor(x), call('GET', '/v1/chat', 'hi'))).toBe('ZKPAY_WRONG_REQUEST')
    const refused = checkPayment(claimFor(x), call('POST', '/v1/other', 'hi'))
    expect(refused.ok || refused.refusal.status).toBe(400)
    // addresses compare as addresses, whatever their case
    expect(
      codeOf(
        claimFor(x, {
          accepted: { ...accepted, payTo: pool.address.toUpperCase().replace('0X', '0x') as `0x${string}` },
        }),
        target,
      ),
    ).toBe('ok')
  })

  it('a precomputed proof: bound to a one-time key, which must sign this request on a call', () => {
    const x = oneTimeKeyX(publicKey)
    const target = call('POST', '/v1/chat', 'hi')
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: sign('POST', '/v1/chat', 'hi') } }), target)).toBe(
      'ok',
    )
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: sign('POST', '/v1/chat', 'bye') } }), target)).toBe(
      'ZKPAY_WRONG_REQUEST',
    )
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey } }), target)).toBe('ZKPAY_WRONG_REQUEST')
    // the key signs the proof's root and nullifier too: a signature made for another proof is refused
    const otherRoot = sign('POST', '/v1/chat', 'hi', { root: 4n, nullifier: 2n })
    const otherNullifier = sign('POST', '/v1/chat', 'hi', { root: 3n, nullifier: 5n })
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: otherRoot } }), target)).toBe('ZKPAY_WRONG_REQUEST')
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: otherNullifier } }), target)).toBe(
      'ZKPAY_WRONG_REQUEST',
    )
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: `0x${'00'.repeat(64)}` } }), target)).toBe(
      'ZKPAY_WRONG_REQUEST',
    )
    // s + L (the group's order) passes a check that does not insist on a canonical s; this one does
    const good = sign('POST', '/v1/chat', 'hi')
    const s = BigInt(`0x${bytesToHex(hexToBytes(good.slice(66)).reverse())}`)
    const sPlusL = bytesToHex(hexToBytes((s + ed25519.Point.Fn.ORDER).toString(16).padStart(64, '0')).reverse())
    expect(codeOf(claimFor(x, { oneTimeKey: { publicKey, signature: `${good.slice(0, 66)}${sPlusL}` } }), target)).toBe(
      'ZKPAY_WRONG_REQUEST',
    )
    // a public key that is not a point on the curve (y = 2 has no x)
    const notAPoint = `0x02${'00'.repeat(31)}`
    expect(
      codeOf(claimFor(oneTimeKeyX(notAPoint), { oneTimeKey: { publicKey: notAPoint, signature: good } }), target),
    ).toBe('ZKPAY_WRONG_REQUEST')
    const otherKey = `0x${bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()))}`
    expect(
      codeOf(
        claimFor(oneTimeKeyX(otherKey), { oneTimeKey: { publicKey, signature: sign('POST', '/v1/chat', 'hi') } }),
        target,
      ),
    ).toBe('ZKPAY_WRONG_KEY')
  })

  it('ahead of its call: the same checks, with the one-time key and no request', () => {
    const ahead: PaymentTarget = { pool, binding: 'ahead' }
    expect(codeOf(claimFor(oneTimeKeyX(publicKey), { oneTimeKey: { publicKey } }), ahead)).toBe('ok')
    expect(codeOf(claimFor(oneTimeKeyX(publicKey) + 1n, { oneTimeKey: { publicKey } }), ahead)).toBe('ZKPAY_WRONG_KEY')
    expect(codeOf(claimFor(requestBinding('GET', '/', '')), ahead)).toBe('ZKPAY_WRONG_KEY')
    expect(
      codeOf(
        {
          ...claimFor(oneTimeKeyX(publicKey), { oneTimeKey: { publicKey } }),
          publicSignals: [1n, 2n, 3n, 5n, oneTimeKeyX(publicKey)],
        },
        ahead,
      ),
    ).toBe('ZKPAY_WRONG_SCOPE')
  })
})

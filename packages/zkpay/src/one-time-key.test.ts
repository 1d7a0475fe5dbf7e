import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { newOneTimeKey, signedBy } from './one-time-key.ts'

/** The order of Ed25519's base point: s is canonical below it. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n
const encoder = new TextEncoder()

describe('one-time key signatures (Ed25519 in node:crypto, checked against @noble/curves)', () => {
  it('newOneTimeKey signs what noble verifies, and signedBy takes what noble signs', () => {
    for (let k = 0; k < 32; k++) {
      const key = newOneTimeKey()
      expect(key.publicKey).toMatch(/^0x[0-9a-f]{64}$/)
      const message = `hermit-zkpay/otk-call/v3\n${k}\nPOST /v1/chat/completions`
      const ours = key.sign(message)
      expect(
        ed25519.verify(hexToBytes(ours.slice(2)), encoder.encode(message), hexToBytes(key.publicKey.slice(2))),
      ).toBe(true)
      expect(signedBy(key.publicKey, ours, message)).toBe(true)
      expect(signedBy(key.publicKey, ours, `${message}!`)).toBe(false)
      const secret = ed25519.utils.randomSecretKey()
      const publicKey = `0x${bytesToHex(ed25519.getPublicKey(secret))}`
      const noble = `0x${bytesToHex(ed25519.sign(encoder.encode(message), secret))}`
      expect(signedBy(publicKey, noble, message)).toBe(true)
      expect(signedBy(key.publicKey, noble, message)).toBe(false)
    }
  })

  it('two keys are never the same, and a key signs one message one way (deterministic)', () => {
    const a = newOneTimeKey()
    const b = newOneTimeKey()
    expect(a.publicKey).not.toBe(b.publicKey)
    expect(a.sign('m')).toBe(a.sign('m'))
    expect(a.sign('m')).not.toBe(b.sign('m'))
  })

  it('signedBy refuses a non-canonical s (s + L), another key, a short signature and a key that is not a point', () => {
    const key = newOneTimeKey()
    const sig = key.sign('m')
    // s is the signature's second half, little-endian; s + L verifies under a lax check
    const s = BigInt(`0x${bytesToHex(hexToBytes(sig.slice(66)).reverse())}`)
    const sPlusL = bytesToHex(hexToBytes((s + L).toString(16).padStart(64, '0')).reverse())
    expect(signedBy(key.publicKey, `${sig.slice(0, 66)}${sPlusL}`, 'm')).toBe(false)
    expect(signedBy(newOneTimeKey().publicKey, sig, 'm')).toBe(false)
    expect(signedBy(key.publicKey, sig.slice(0, 100), 'm')).toBe(false)
    expect(signedBy(`${key.publicKey}00`, sig, 'm')).toBe(false)
    // y = 2: x² = (y² − 1)/(d·y² + 1) has no root, so these bytes decode to no point
    expect(signedBy(`0x02${'00'.repeat(31)}`, sig, 'm')).toBe(false)
    expect(() => ed25519.Point.fromHex(`02${'00'.repeat(31)}`)).toThrow()
  })
})

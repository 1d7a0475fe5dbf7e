import { describe, expect, it } from 'vitest'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { oneTimeSigner, signedBy } from './one-time-key.ts'

const N = secp256k1.Point.CURVE().n

describe('one-time key signatures (node:crypto, in the form @noble/curves makes and checks)', () => {
  it('oneTimeSigner makes low-s signatures that noble verifies, and signedBy takes what noble signs', () => {
    for (let k = 0; k < 32; k++) {
      const secretKey = secp256k1.utils.randomSecretKey()
      const publicKey = `0x${bytesToHex(secp256k1.getPublicKey(secretKey, true))}`
      const message = `hermit-zkpay/otk-call/v2\n${k}\nPOST /v1/chat/completions`
      const ours = oneTimeSigner(secretKey)(message)
      expect(BigInt(`0x${ours.slice(66)}`) <= N >> 1n).toBe(true)
      // noble's verify is lowS by default: it would refuse a high s
      expect(
        secp256k1.verify(hexToBytes(ours.slice(2)), new TextEncoder().encode(message), hexToBytes(publicKey.slice(2))),
      ).toBe(true)
      expect(signedBy(publicKey, ours, message)).toBe(true)
      const noble = `0x${bytesToHex(secp256k1.sign(new TextEncoder().encode(message), secretKey))}`
      expect(signedBy(publicKey, noble, message)).toBe(true)
      expect(signedBy(publicKey, ours, `${message}!`)).toBe(false)
    }
  })

  it('signedBy refuses the high-s twin, another key, a short signature and a key that is not a point', () => {
    const secretKey = secp256k1.utils.randomSecretKey()
    const publicKey = `0x${bytesToHex(secp256k1.getPublicKey(secretKey, true))}`
    const sig = oneTimeSigner(secretKey)('m')
    const highS = `${sig.slice(0, 66)}${(N - BigInt(`0x${sig.slice(66)}`)).toString(16).padStart(64, '0')}`
    expect(signedBy(publicKey, highS, 'm')).toBe(false)
    const other = `0x${bytesToHex(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true))}`
    expect(signedBy(other, sig, 'm')).toBe(false)
    expect(signedBy(publicKey, sig.slice(0, 100), 'm')).toBe(false)
    expect(signedBy(`0x02${'ff'.repeat(32)}`, sig, 'm')).toBe(false)
  })
})

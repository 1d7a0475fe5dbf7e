/**
 * A precomputed proof's one-time key signs the call it pays for: secp256k1 ECDSA over
 * sha256(message), compact r‖s, low s, with a compressed public key — the form @noble/curves makes.
 * Both sides use node:crypto (OpenSSL): sign and verify run on every paid call's path; verify is
 * about 2.5× faster than the JS one here, and a signature with a key imported ahead about 1.5×.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'

// DER prefixes for one key: PKCS#8 of a 32-byte secp256k1 private key, and a SubjectPublicKeyInfo of a
// compressed point (id-ecPublicKey, secp256k1), each followed by the key's bytes
const PKCS8_SECP256K1 = Buffer.from('303e020100301006072a8648ce3d020106052b8104000a042730250201010420', 'hex')
const SPKI_SECP256K1_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const N = secp256k1.Point.CURVE().n
const HALF_N = N >> 1n

/**
 * A signer for the one-time `secretKey` (32 bytes): its key is imported into OpenSSL here, once, when
 * the proof is made (a PKCS#8 import costs about 1.5 ms, more than the signature), so a call only
 * signs. Signatures are 0x-hex r‖s with a low s.
 */
export function oneTimeSigner(secretKey: Uint8Array): (message: string) => `0x${string}` {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_SECP256K1, secretKey]), format: 'der', type: 'pkcs8' })
  return (message) => {
    const sig = sign('sha256', Buffer.from(message), { key, dsaEncoding: 'ieee-p1363' })
    const s = BigInt(`0x${sig.subarray(32).toString('hex')}`)
    // OpenSSL may give the high-s twin; the verifier takes only the low one
    const low = s > HALF_N ? (N - s).toString(16).padStart(64, '0') : sig.subarray(32).toString('hex')
    return `0x${sig.subarray(0, 32).toString('hex')}${low}`
  }
}

/**
 * Whether `signature` (0x-hex r‖s) is `publicKey`'s (0x-hex, compressed) over `message`. OpenSSL takes a
 * high s too; refusing that half keeps one signature per message and key, as noble does.
 */
export function signedBy(publicKey: string, signature: string, message: string): boolean {
  try {
    const sig = Buffer.from(signature.slice(2), 'hex')
    if (sig.length !== 64 || BigInt(`0x${sig.subarray(32).toString('hex')}`) > HALF_N) return false
    const key = createPublicKey({
      key: Buffer.concat([SPKI_SECP256K1_COMPRESSED, Buffer.from(publicKey.slice(2), 'hex')]),
      format: 'der',
      type: 'spki',
    })
    return verify('sha256', Buffer.from(message), { key, dsaEncoding: 'ieee-p1363' }, sig)
  } catch {
    return false
  }
}

import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { readFileSync } from 'node:fs'
import { gcm } from '@noble/ciphers/aes.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { identityCommitment, randomFieldElement, SNARK_FIELD } from '@hermit/circuits'
import { KeystoreError } from './errors.ts'
import { writeFileAtomic } from '@hermit/chain'

const SECRET = Symbol('sk')

/**
 * A ZK identity: the secret `sk` (a field element) stays inside; logs, JSON and errors only ever
 * show its public commitment Poseidon(sk).
 */
export class ZkIdentity {
  readonly commitment: bigint
  private readonly [SECRET]: bigint

  constructor(sk: bigint) {
    if (sk <= 0n || sk >= SNARK_FIELD)
      throw new KeystoreError('ZKPAY_IDENTITY_INVALID', 'An identity secret must be a non-zero field element.')
    this[SECRET] = sk
    this.commitment = identityCommitment(sk)
  }

  static random(): ZkIdentity {
    return new ZkIdentity(randomFieldElement())
  }

  /** The secret, for the prover only. */
  revealSecret(): bigint {
    return this[SECRET]
  }

  /**
   * The secret of one deposit: every deposit gets its own (nonce kept in its ticket file). Ticket
   * nullifiers depend only on (secret, scope, index), so two deposits sharing a secret would share
   * nullifiers — an honest user's first call on a second deposit would look like a double-spend.
   * A slashed deposit reveals only its own secret, never the identity's.
   */
  depositSecret(nonce: bigint): bigint {
    const h = createHash('sha256').update(`hermit-zkpay/deposit/v1\n${this[SECRET]}\n${nonce}`).digest('hex')
    return (BigInt(`0x${h}`) % (SNARK_FIELD - 1n)) + 1n
  }

  toJSON(): { commitment: string } {
    return { commitment: this.commitment.toString() }
  }

  toString(): string {
    return `ZkIdentity(commitment ${this.commitment.toString().slice(0, 12)}…)`
  }

  [inspect.custom](): string {
    return this.toString()
  }
}

const keystoreSchema = z.strictObject({
  version: z.literal(1),
  kind: z.literal('hermit-zk-identity'),
  commitment: z.string().regex(/^\d+$/),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z.number().int().min(1024),
    r: z.number().int().min(1),
    p: z.number().int().min(1),
    salt: z.string().regex(/^[0-9a-f]{32,}$/),
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), nonce: z.string().regex(/^[0-9a-f]{24}$/) }),
  ciphertext: z.string().regex(/^[0-9a-f]+$/),
})

export type KeystoreOptions = { /** scrypt cost (default 2^17; tests may lower it) */ N?: number }

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
const toBytes = (v: bigint) => {
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

/** Encrypts the identity (scrypt → AES-256-GCM) and writes it atomically with mode 0600. */
export function saveKeystore(
  path: string,
  identity: ZkIdentity,
  password: string,
  options: KeystoreOptions = {},
): void {
  if (password.length < 8)
    throw new KeystoreError('ZKPAY_KEYSTORE_WEAK_PASSWORD', 'The keystore password must have at least 8 characters.')
  const N = options.N ?? 2 ** 17
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const key = scrypt(new TextEncoder().encode(password), salt, { N, r: 8, p: 1, dkLen: 32 })
  const aad = new TextEncoder().encode(identity.commitment.toString())
  const ciphertext = gcm(key, nonce, aad).encrypt(toBytes(identity.revealSecret()))
  const file = {
    version: 1,
    kind: 'hermit-zk-identity',
    commitment: identity.commitment.toString(),
    kdf: { name: 'scrypt', N, r: 8, p: 1, salt: hex(salt) },
    cipher: { name: 'aes-256-gcm', nonce: hex(nonce) },
    ciphertext: hex(ciphertext),
  }
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`)
}

export function loadKeystore(path: string, password: string): ZkIdentity {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new KeystoreError('ZKPAY_KEYSTORE_UNREADABLE', `Cannot read keystore ${path}.`, {
      cause,
      hint: 'Create one with saveKeystore() (or `hermit pay init`).',
    })
  }
  const parsed = keystoreSchema.safeParse(json)
  if (!parsed.success)
    throw new KeystoreError(
      'ZKPAY_KEYSTORE_INVALID',
      `Keystore ${path}: field ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    )
  const k = parsed.data
  const key = scrypt(new TextEncoder().encode(password), unhex(k.kdf.salt), {
    N: k.kdf.N,
    r: k.kdf.r,
    p: k.kdf.p,
    dkLen: 32,
  })
  let plain: Uint8Array
  try {
    plain = gcm(key, unhex(k.cipher.nonce), new TextEncoder().encode(k.commitment)).decrypt(unhex(k.ciphertext))
  } catch {
    throw new KeystoreError(
      'ZKPAY_KEYSTORE_WRONG_PASSWORD',
      `Wrong password for keystore ${path} (or the file was altered).`,
    )
  }
  const identity = new ZkIdentity(BigInt(`0x${hex(plain)}`))
  if (identity.commitment.toString() !== k.commitment)
    throw new KeystoreError('ZKPAY_KEYSTORE_INVALID', `Keystore ${path} does not match its commitment.`)
  return identity
}

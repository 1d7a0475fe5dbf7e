import { gcm } from '@noble/ciphers/aes.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { ZkPayError } from './errors.ts'

/** A share of a ticket: the point (x, y) one call revealed. Two of them give the deposit's secret away. */
export type Share = { x: bigint; y: bigint }

/** What the gate keeps about a double-spend until its slash lands (shares and secret encrypted at rest). */
export type SlashRecord = {
  scope: bigint
  nullifier: bigint
  shares: [Share, Share]
  secret: bigint
  /** pending: not landed yet; slashed: `tx` landed; gone: the deposit was slashed or exited by someone else. */
  state: 'pending' | 'slashed' | 'gone'
  tx: string | null
  attempts: number
}

/** scrypt parameters kept beside the sealed rows (never the password). */
export type KdfParams = { salt: string; N: number }

const recordSchema = z.strictObject({
  shares: z.tuple([
    z.strictObject({ x: z.string().regex(/^\d+$/), y: z.string().regex(/^\d+$/) }),
    z.strictObject({ x: z.string().regex(/^\d+$/), y: z.string().regex(/^\d+$/) }),
  ]),
  secret: z.string().regex(/^\d+$/),
})

/** Fresh parameters for a store that has none yet. */
export function newKdfParams(scryptN: number | undefined): KdfParams {
  return { salt: Buffer.from(randomBytes(16)).toString('hex'), N: scryptN ?? 2 ** 15 }
}

/** The sealing key: scrypt of the password, or (no password) a random key of this process only. */
export function sealingKey(password: string | undefined, params: () => KdfParams): Uint8Array {
  if (password === undefined) return randomBytes(32)
  if (password.length < 8) throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'secretsPassword must have at least 8 characters.')
  const p = params()
  return scrypt(new TextEncoder().encode(password), Buffer.from(p.salt, 'hex'), { N: p.N, r: 8, p: 1, dkLen: 32 })
}

const aad = (scope: bigint, nullifier: bigint): Uint8Array =>
  new TextEncoder().encode(`hermit-zkpay/slash/v1\n${scope}\n${nullifier}`)

/** A double-spend's shares and secret, sealed with AES-256-GCM (the row's scope and nullifier as AAD); hex. */
export function sealShares(
  key: Uint8Array,
  scope: bigint,
  nullifier: bigint,
  shares: [Share, Share],
  secret: bigint,
): { nonce: string; sealed: string } {
  const nonce = randomBytes(12)
  const plain = JSON.stringify({
    shares: shares.map((s) => ({ x: s.x.toString(), y: s.y.toString() })),
    secret: secret.toString(),
  })
  const sealed = gcm(key, nonce, aad(scope, nullifier)).encrypt(new TextEncoder().encode(plain))
  return { nonce: Buffer.from(nonce).toString('hex'), sealed: Buffer.from(sealed).toString('hex') }
}

/** A double-spend's row as a store keeps it. */
export type SealedRow = {
  scope: string
  nullifier: string
  nonce: string
  sealed: string
  state: string
  tx: string | null
  attempts: number
}

/** A sealed row back to its record; a wrong key is ZKPAY_SLASH_RECORD_SEALED. */
export function openShares(key: Uint8Array, row: SealedRow): SlashRecord {
  const scope = BigInt(row.scope)
  const nullifier = BigInt(row.nullifier)
  let plain: Uint8Array
  try {
    plain = gcm(key, Buffer.from(row.nonce, 'hex'), aad(scope, nullifier)).decrypt(Buffer.from(row.sealed, 'hex'))
  } catch (cause) {
    throw new ZkPayError('ZKPAY_SLASH_RECORD_SEALED', 'A double-spend record cannot be opened with this key.', {
      cause,
      hint: 'Open the nullifier store with the secretsPassword it was written with.',
    })
  }
  const r = recordSchema.parse(JSON.parse(new TextDecoder().decode(plain)))
  return {
    scope,
    nullifier,
    shares: [
      { x: BigInt(r.shares[0].x), y: BigInt(r.shares[0].y) },
      { x: BigInt(r.shares[1].x), y: BigInt(r.shares[1].y) },
    ],
    secret: BigInt(r.secret),
    state: row.state as SlashRecord['state'],
    tx: row.tx,
    attempts: Number(row.attempts),
  }
}

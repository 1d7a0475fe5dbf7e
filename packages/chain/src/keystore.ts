/**
 * Password-encrypted secrets on disk: scrypt derives a key from the password, AES-256-GCM seals the
 * secret with associated data that names what it is (an address), so a file whose public part was
 * edited no longer opens. The generic envelope (`sealSecret`/`openSecret`) and the account key file
 * (`saveAccountKeystore`/`loadAccountKeystore`) built on it. A secret or password never appears in
 * an error, a log or JSON.
 */
import { existsSync, readFileSync } from 'node:fs'
import { gcm } from '@noble/ciphers/aes.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { getAddress, isAddress, isAddressEqual, type Address, type Hex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ChainError } from './errors.ts'
import { writeFileAtomic } from './files.ts'

/** scrypt's cost by default: 2^17 (about a second in JS); tests may lower it. */
export const DEFAULT_SCRYPT_N = 2 ** 17
export const MIN_PASSWORD_LENGTH = 8

/** The encrypted part of a keystore file. */
export type Sealed = {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  cipher: { name: 'aes-256-gcm'; nonce: string }
  ciphertext: string
}
type AccountFile = Sealed & { version: 1; kind: 'hermit-account-key'; address: Address }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min
const isHex = (v: unknown, re: RegExp) => typeof v === 'string' && re.test(v)

/**
 * The file's JSON checked field by field (@hermit/chain has no zod; the checks are those of zkpay's
 * keystore schema): the first field that does not fit, or null.
 */
function accountFileProblem(j: unknown): string | null {
  if (!isObject(j)) return '(root): an object'
  if (j.version !== 1) return 'version: 1'
  if (j.kind !== 'hermit-account-key') return 'kind: "hermit-account-key"'
  if (typeof j.address !== 'string' || !isAddress(j.address, { strict: false })) return 'address: an address'
  const { kdf, cipher } = j
  if (!isObject(kdf) || kdf.name !== 'scrypt') return 'kdf.name: "scrypt"'
  if (!isInt(kdf.N, 1024) || !isInt(kdf.r, 1) || !isInt(kdf.p, 1)) return 'kdf: N ≥ 1024, r ≥ 1, p ≥ 1'
  if (!isHex(kdf.salt, /^[0-9a-f]{32,}$/)) return 'kdf.salt: 16+ bytes of hex'
  if (!isObject(cipher) || cipher.name !== 'aes-256-gcm') return 'cipher.name: "aes-256-gcm"'
  if (!isHex(cipher.nonce, /^[0-9a-f]{24}$/)) return 'cipher.nonce: 12 bytes of hex'
  if (!isHex(j.ciphertext, /^[0-9a-f]+$/)) return 'ciphertext: hex'
  const extra = Object.keys(j).filter((k) => !['version', 'kind', 'address', 'kdf', 'cipher', 'ciphertext'].includes(k))
  return extra.length > 0 ? `${extra[0]}: not a keystore field` : null
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
const utf8 = (s: string) => new TextEncoder().encode(s)

/** Encrypts `secret` under `password`, bound to `aad` (what the secret is, in clear). */
export function sealSecret(secret: Uint8Array, password: string, aad: string, options: { N?: number } = {}): Sealed {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new ChainError(
      'CHAIN_KEYSTORE_WEAK_PASSWORD',
      `The keystore password must have at least ${MIN_PASSWORD_LENGTH} characters.`,
      { hint: 'Choose a longer password.' },
    )
  const N = options.N ?? DEFAULT_SCRYPT_N
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const key = scrypt(utf8(password), salt, { N, r: 8, p: 1, dkLen: 32 })
  return {
    kdf: { name: 'scrypt', N, r: 8, p: 1, salt: hex(salt) },
    cipher: { name: 'aes-256-gcm', nonce: hex(nonce) },
    ciphertext: hex(gcm(key, nonce, utf8(aad)).encrypt(secret)),
  }
}

/** Decrypts a sealed secret; a wrong password or an altered file is `CHAIN_KEYSTORE_WRONG_PASSWORD`. */
export function openSecret(sealed: Sealed, password: string, aad: string, path = 'keystore'): Uint8Array {
  const { kdf, cipher } = sealed
  const key = scrypt(utf8(password), unhex(kdf.salt), { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32 })
  try {
    return gcm(key, unhex(cipher.nonce), utf8(aad)).decrypt(unhex(sealed.ciphertext))
  } catch {
    // no cause: the cipher's error says nothing useful, and nothing of the password may travel
    throw new ChainError('CHAIN_KEYSTORE_WRONG_PASSWORD', `Wrong password for ${path} (or the file was altered).`, {
      hint: 'Check the password ($HERMIT_KEYSTORE_PASSWORD).',
    })
  }
}

/** The JSON of a keystore file, checked against the account-key format. */
function readAccountFile(path: string): AccountFile {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new ChainError('CHAIN_KEYSTORE_UNREADABLE', `Cannot read keystore ${path}.`, {
      cause,
      hint: 'Create one with `hermit keys new --keystore <file>` (or import a key with `hermit keys import`).',
    })
  }
  const problem = accountFileProblem(json)
  if (problem)
    throw new ChainError('CHAIN_KEYSTORE_INVALID', `Keystore ${path}: ${problem}.`, {
      hint: 'It is not a Hermit account keystore (kind "hermit-account-key").',
    })
  const file = json as AccountFile
  return { ...file, address: getAddress(file.address) }
}

/**
 * Encrypts an account's private key into `path` (atomically, mode 0600). Refuses to overwrite a file.
 * Returns the account's address (the only thing of it that is stored in clear).
 */
export function saveAccountKeystore(
  path: string,
  privateKey: Hex,
  password: string,
  options: { N?: number } = {},
): Address {
  if (existsSync(path))
    throw new ChainError('CHAIN_KEYSTORE_EXISTS', `${path} exists; a keystore is never overwritten.`, {
      hint: 'Choose another file, or remove the old one yourself.',
    })
  let address: Address
  try {
    address = privateKeyToAccount(privateKey).address
  } catch {
    // no cause: viem's error would quote the key
    throw new ChainError('CHAIN_KEYSTORE_INVALID', 'That is not a private key (0x + 64 hex digits).')
  }
  const sealed = sealSecret(unhex(privateKey.slice(2)), password, address, options)
  writeFileAtomic(path, `${JSON.stringify({ version: 1, kind: 'hermit-account-key', address, ...sealed }, null, 2)}\n`)
  return address
}

/** A new random key, encrypted into `path`. */
export function newAccountKeystore(path: string, password: string, options: { N?: number } = {}): Address {
  return saveAccountKeystore(path, generatePrivateKey(), password, options)
}

/** The address a keystore holds the key of, without the password. */
export function keystoreAddress(path: string): Address {
  return readAccountFile(path).address
}

/** Opens a keystore: the local account that signs with its key (the key itself is not returned). */
export function loadAccountKeystore(path: string, password: string): LocalAccount {
  const file = readAccountFile(path)
  const plain = openSecret(file, password, file.address, path)
  if (plain.length !== 32)
    throw new ChainError('CHAIN_KEYSTORE_INVALID', `Keystore ${path} does not hold a 32-byte key.`)
  const account = privateKeyToAccount(`0x${hex(plain)}`)
  plain.fill(0)
  if (!isAddressEqual(account.address, file.address))
    throw new ChainError('CHAIN_KEYSTORE_INVALID', `Keystore ${path} does not match its address ${file.address}.`)
  return account
}

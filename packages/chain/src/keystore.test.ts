import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  keystoreAddress,
  loadAccountKeystore,
  newAccountKeystore,
  openSecret,
  saveAccountKeystore,
  sealSecret,
} from './keystore.ts'

// scrypt at 2^10 keeps the tests fast; the format and the code path are the same as at 2^17
const N = 1024
const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' as const
const PASSWORD = 'correct horse battery'
const file = () => join(mkdtempSync(join(tmpdir(), 'hermit-keystore-')), 'key.json')

/** Everything an error shows: message, hint, details, cause chain, JSON and inspect. */
const shown = (e: unknown) => `${inspect(e, { depth: 8 })} ${JSON.stringify(e)} ${String(e)}`

describe('account keystore (scrypt + AES-256-GCM)', () => {
  it('round-trips a key: the file holds the address in clear and never the key, mode 0600', () => {
    const path = file()
    const address = saveAccountKeystore(path, KEY, PASSWORD, { N })
    expect(address).toBe(privateKeyToAccount(KEY).address)
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain(KEY.slice(2))
    expect(text).not.toContain(PASSWORD)
    expect(JSON.parse(text)).toMatchObject({ version: 1, kind: 'hermit-account-key', address, kdf: { N } })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(keystoreAddress(path)).toBe(address)
    const account = loadAccountKeystore(path, PASSWORD)
    expect(account.address).toBe(address)
    // the account signs, and shows nothing of its key
    expect(shown(account)).not.toContain(KEY.slice(2))
  })

  it('a wrong password is CHAIN_KEYSTORE_WRONG_PASSWORD, and neither password nor key appears in the error', () => {
    const path = file()
    saveAccountKeystore(path, KEY, PASSWORD, { N })
    let error: unknown
    try {
      loadAccountKeystore(path, 'not the password')
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'CHAIN_KEYSTORE_WRONG_PASSWORD' })
    expect(shown(error)).not.toContain('not the password')
    expect(shown(error)).not.toContain(KEY.slice(2))
  })

  it('a file whose address was edited no longer opens (the address is the cipher’s associated data)', () => {
    const path = file()
    saveAccountKeystore(path, KEY, PASSWORD, { N })
    const json = JSON.parse(readFileSync(path, 'utf8'))
    writeFileSync(path, JSON.stringify({ ...json, address: '0x000000000000000000000000000000000000dEaD' }))
    expect(() => loadAccountKeystore(path, PASSWORD)).toThrow(
      expect.objectContaining({ code: 'CHAIN_KEYSTORE_WRONG_PASSWORD' }),
    )
  })

  it('refuses a short password, overwriting a file, a malformed key (without quoting it), and a file of another format', () => {
    const path = file()
    expect(() => saveAccountKeystore(path, KEY, 'short', { N })).toThrow(
      expect.objectContaining({ code: 'CHAIN_KEYSTORE_WEAK_PASSWORD' }),
    )
    const address = newAccountKeystore(path, PASSWORD, { N })
    expect(() => saveAccountKeystore(path, KEY, PASSWORD, { N })).toThrow(
      expect.objectContaining({ code: 'CHAIN_KEYSTORE_EXISTS' }),
    )
    expect(keystoreAddress(path)).toBe(address)
    let bad: unknown
    try {
      saveAccountKeystore(file(), '0x1234deadbeef', PASSWORD, { N })
    } catch (e) {
      bad = e
    }
    expect(bad).toMatchObject({ code: 'CHAIN_KEYSTORE_INVALID' })
    expect(shown(bad)).not.toContain('1234deadbeef')
    const other = file()
    writeFileSync(other, JSON.stringify({ version: 1, kind: 'hermit-zk-identity' }))
    expect(() => keystoreAddress(other)).toThrow(expect.objectContaining({ code: 'CHAIN_KEYSTORE_INVALID' }))
    expect(() => keystoreAddress(join(tmpdir(), 'no-such-hermit-keystore.json'))).toThrow(
      expect.objectContaining({ code: 'CHAIN_KEYSTORE_UNREADABLE' }),
    )
  })

  it('the generic envelope seals any secret bound to its label', () => {
    const secret = new Uint8Array([1, 2, 3, 4])
    const sealed = sealSecret(secret, PASSWORD, 'label-a', { N })
    expect([...openSecret(sealed, PASSWORD, 'label-a')]).toEqual([1, 2, 3, 4])
    expect(() => openSecret(sealed, PASSWORD, 'label-b')).toThrow(
      expect.objectContaining({ code: 'CHAIN_KEYSTORE_WRONG_PASSWORD' }),
    )
  })
})

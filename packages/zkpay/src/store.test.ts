import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SqliteNullifierStore } from './store.ts'
import { nullifierStoreContract } from './testing/store-contract.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const script = fileURLToPath(new URL('./testing/claim.ts', import.meta.url))

describe('SqliteNullifierStore', () => {
  nullifierStoreContract({
    fresh: async () => join(mkdtempSync(join(tmpdir(), 'hermit-store-')), 'n.sqlite'),
    open: async (path, options) => SqliteNullifierStore.open(path, options),
  })

  it('a nullifier recorded just before a kill -9 is still there, and the dead owner does not lock the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hermit-store-kill-')), 'n.sqlite')
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((r) => child.on('exit', r))
    const line = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (c) => {
        out += c
        if (out.includes('\n')) resolve(out.trim())
      })
      void exited.then(() => reject(new Error('child exited early')))
    })
    expect(line).toBe('claimed new')
    // the running owner keeps others out
    expect(() => SqliteNullifierStore.open(path)).toThrow(/open in process/)
    child.kill('SIGKILL')
    await exited
    const store = SqliteNullifierStore.open(path)
    expect(await store.count()).toBe(1)
    expect(await store.claim({ scope: 1n, nullifier: 42n, x: 7n, y: 9n, root: 5n })).toMatchObject({
      status: 'replay',
      response: null,
    })
    await store.close()
  }, 30_000)

  it('a double-spend record is sealed: peek sees its state, only the same password opens its shares and secret', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hermit-store-sealed-')), 'n.sqlite')
    const options = { secretsPassword: 'the sealing password', scryptN: 1024 }
    const secret = 123456789012345678901234567890n
    const shares: [{ x: bigint; y: bigint }, { x: bigint; y: bigint }] = [
      { x: 3n, y: 4n },
      { x: 8n, y: 987654321098765432109876543210n },
    ]
    const store = SqliteNullifierStore.open(path, options)
    await store.claim({ scope: 1n, nullifier: 2n, x: 3n, y: 4n, root: 5n, proofKey: 'k' })
    expect(await store.peek(1n, 2n)).toEqual({ x: 3n, y: 4n, proofKey: 'k', slash: null })
    expect(await store.peek(1n, 99n)).toBeNull()
    await store.recordDoubleSpend(1n, 2n, shares, secret)
    expect(await store.peek(1n, 2n)).toMatchObject({ slash: 'pending' })
    expect(await store.pendingSlashes()).toMatchObject([{ nullifier: 2n, shares, secret, state: 'pending' }])
    await store.markSlashed(1n, 2n, '0xabc')
    expect(await store.pendingSlashes()).toEqual([])
    await store.close()
    const disk = [path, `${path}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('')
    for (const plain of [secret.toString(), secret.toString(16), shares[1].y.toString()])
      expect(disk).not.toContain(plain)
    const reopened = SqliteNullifierStore.open(path, options)
    expect(await reopened.slashRecord(1n, 2n)).toMatchObject({ secret, shares, state: 'slashed', tx: '0xabc' })
    await reopened.close()
    const wrong = SqliteNullifierStore.open(path, { ...options, secretsPassword: 'another password' })
    await expect(wrong.slashRecord(1n, 2n)).rejects.toMatchObject({ code: 'ZKPAY_SLASH_RECORD_SEALED' })
    await wrong.close()
  })
})

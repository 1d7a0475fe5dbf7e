import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { TicketStore } from './tickets.ts'
import { ZkIdentity, loadKeystore, saveKeystore } from './identity.ts'
import { KeystoreError, TicketError } from './errors.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const script = fileURLToPath(new URL('./testing/reserve.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'hermit-tickets-'))
let k = 0
const fresh = (tickets = 200) =>
  TicketStore.create(join(dir, `t${k++}.json`), {
    pool: `0x${'11'.repeat(20)}`,
    chainId: 31337,
    leafIndex: 0,
    tickets,
    secretNonce: '1',
  })

function run(args: string[]): {
  child: ReturnType<typeof spawn>
  firstLine: Promise<string>
  exited: Promise<number | null>
} {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
  child.stderr!.on('data', (c) => (err += c))
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    void exited.then((c) => reject(new Error(`exited ${c}: ${err}`)))
  })
  return { child, firstLine, exited }
}

describe('ticket store: an index is never handed out twice', () => {
  it('64 parallel reservations in one process are distinct and persisted', async () => {
    const store = fresh()
    const got = await Promise.all(Array.from({ length: 64 }, () => store.reserve()))
    expect(new Set(got).size).toBe(64)
    expect(Math.max(...got)).toBe(63)
    expect(TicketStore.open(store.path).read().next).toBe(64)
  })

  it('four processes reserving at once never collide', async () => {
    const store = fresh()
    const runs = [0, 1, 2, 3].map(() => run([store.path, 'many', '16']))
    const lists = (await Promise.all(runs.map((r) => r.firstLine))).map((l) => JSON.parse(l) as number[])
    await Promise.all(runs.map((r) => r.exited))
    const all = lists.flat()
    expect(all).toHaveLength(64)
    expect(new Set(all).size).toBe(64)
    expect(store.read().next).toBe(64)
  }, 60_000)

  it('a client killed (-9) after reserving never gets its index reused, and its stale lock is taken over', async () => {
    const store = fresh()
    await store.reserve() // 0
    const r = run([store.path, 'hang'])
    expect(await r.firstLine).toBe('reserved 1')
    // make it die holding the lock, the worst moment
    writeFileSync(`${store.path}.lock`, String(r.child.pid))
    r.child.kill('SIGKILL')
    await r.exited
    expect(await TicketStore.open(store.path).reserve()).toBe(2)
    expect(existsSync(`${store.path}.lock`)).toBe(false)
  }, 30_000)

  it('refuses to run past the deposit or to recreate a file', async () => {
    const store = fresh(2)
    await store.reserve()
    await store.reserve()
    await expect(store.reserve()).rejects.toBeInstanceOf(TicketError)
    await expect(store.reserve()).rejects.toMatchObject({ code: 'ZKPAY_TICKETS_EXHAUSTED' })
    expect(() =>
      TicketStore.create(store.path, {
        pool: `0x${'11'.repeat(20)}`,
        chainId: 1,
        leafIndex: 0,
        tickets: 5,
        secretNonce: '1',
      }),
    ).toThrow(/already exists/)
    writeFileSync(join(dir, 'bad.json'), '{"version":1}')
    expect(() => TicketStore.open(join(dir, 'bad.json'))).toThrow(/field pool/)
  })
})

describe('identity keystore', () => {
  it('round-trips, refuses a wrong password, and never shows the secret', () => {
    const id = ZkIdentity.random()
    const path = join(dir, 'id.json')
    saveKeystore(path, id, 'correct horse battery', { N: 2 ** 12 })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain(id.revealSecret().toString())
    expect(loadKeystore(path, 'correct horse battery').commitment).toBe(id.commitment)
    expect(() => loadKeystore(path, 'wrong password!')).toThrow(KeystoreError)
    expect(() => loadKeystore(path, 'wrong password!')).toThrow(
      expect.objectContaining({ code: 'ZKPAY_KEYSTORE_WRONG_PASSWORD' }),
    )
    for (const shown of [JSON.stringify(id), inspect(id), String(id), `${id}`])
      expect(shown).not.toContain(id.revealSecret().toString())
    expect(() => saveKeystore(path, id, 'short')).toThrow(/8 characters/)
  })
})

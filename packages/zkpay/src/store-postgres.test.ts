import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresNullifierStore } from './store-postgres.ts'
import { nullifierStoreFromUrl } from './store-url.ts'
import { SqliteNullifierStore } from './store.ts'
import { startPostgres, type PostgresServer } from './testing/postgres.ts'
import { nullifierStoreContract } from './testing/store-contract.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const script = fileURLToPath(new URL('./testing/pg-claim.ts', import.meta.url))

let server: PostgresServer
beforeAll(async () => {
  server = await startPostgres()
}, 600_000)
afterAll(async () => server?.stop())

let databases = 0
/** A new empty database on the test server, as a URL. */
async function freshDatabase(): Promise<string> {
  const name = `zkpay_${++databases}`
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  return server.url.replace(/\/postgres$/, `/${name}`)
}

/** Runs the claiming script; resolves with its JSON tally (and the child, still running with "hang"). */
function claimer(url: string, from: number, count: number, x: number, hang = false) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, url, String(from), String(count), String(x), ...(hang ? ['hang'] : [])],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  let err = ''
  child.stderr!.on('data', (c) => (err += c))
  const tally = new Promise<Record<'new' | 'replay' | 'double-spend', number[]>>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (c) => {
      out += c
      if (out.includes('\n')) resolve(JSON.parse(out))
    })
    void exited.then(() => reject(new Error(`claimer exited without a tally: ${err}`)))
  })
  return { child, exited, tally }
}

describe('PostgresNullifierStore', () => {
  nullifierStoreContract({
    fresh: freshDatabase,
    open: (url, options) => PostgresNullifierStore.open(url, options),
  })

  it('two processes claiming the same 200 nullifiers at once: each is new exactly once, across processes', async () => {
    const url = await freshDatabase()
    // same x in both: the loser of each race sees a replay; another x would be a double-spend
    const a = claimer(url, 1000, 200, 7)
    const b = claimer(url, 1000, 200, 7)
    const [ta, tb] = await Promise.all([a.tally, b.tally])
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
    expect([...ta.new, ...tb.new].sort((p, q) => p - q)).toEqual(Array.from({ length: 200 }, (_, k) => 1000 + k))
    expect(ta.new.length + ta.replay.length).toBe(200)
    expect(tb.new.length + tb.replay.length).toBe(200)
    const c = claimer(url, 1000, 200, 8)
    expect((await c.tally)['double-spend']).toHaveLength(200)
  }, 60_000)

  it('nullifiers claimed just before a kill -9 of their process and a restart of PostgreSQL are all still there', async () => {
    const url = await freshDatabase()
    const store = await PostgresNullifierStore.open(url)
    expect(await store.claim({ scope: 1n, nullifier: 1n, x: 7n, y: 9n, root: 5n })).toEqual({ status: 'new' })
    const hung = claimer(url, 2000, 50, 7, true)
    expect((await hung.tally).new).toHaveLength(50)
    hung.child.kill('SIGKILL')
    await hung.exited
    await server.restart()
    // the store opened before the restart reconnects by itself: its idle connections were dropped
    expect(await store.count()).toBe(51)
    expect(await store.claim({ scope: 1n, nullifier: 2025n, x: 7n, y: 9n, root: 5n })).toMatchObject({
      status: 'replay',
    })
    expect(await store.claim({ scope: 1n, nullifier: 1n, x: 8n, y: 9n, root: 5n })).toMatchObject({
      status: 'double-spend',
    })
    await store.close()
  }, 60_000)

  it('nullifierStoreFromUrl opens sqlite:<path> and postgres:// stores, and refuses anything else', async () => {
    const pgStore = await nullifierStoreFromUrl(await freshDatabase())
    expect(pgStore).toBeInstanceOf(PostgresNullifierStore)
    expect(await pgStore.claim({ scope: 1n, nullifier: 1n, x: 1n, y: 1n, root: 1n })).toEqual({ status: 'new' })
    await pgStore.close()
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const sqlite = await nullifierStoreFromUrl(`sqlite:${join(mkdtempSync(join(tmpdir(), 'hermit-url-')), 'n.sqlite')}`)
    expect(sqlite).toBeInstanceOf(SqliteNullifierStore)
    await sqlite.close()
    await expect(nullifierStoreFromUrl('mysql://root@host/db')).rejects.toMatchObject({ code: 'ZKPAY_BAD_OPTIONS' })
    await expect(nullifierStoreFromUrl('sqlite:')).rejects.toMatchObject({ code: 'ZKPAY_BAD_OPTIONS' })
  })
})

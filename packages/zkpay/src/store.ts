import { mkdirSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { createRequire } from 'node:module'
import { ZkPayError } from './errors.ts'
import { claimPidFile, processAlive, takeOverStaleLock } from './fsutil.ts'

export type StoredResponse = { status: number; headers: Record<string, string>; body: Uint8Array }

export type ClaimResult =
  | { status: 'new' }
  /** Same nullifier, same message: a retry. `response` is null while the first call is still running. */
  | { status: 'replay'; response: StoredResponse | null; claimedAt: number }
  /** Same nullifier, another message: a double-spend; the earlier share reveals the secret. */
  | { status: 'double-spend'; previous: { x: bigint; y: bigint }; slashedTx: string | null }

/**
 * Where spent nullifiers live. `claim` must be atomic (insert-if-absent), so that several gateway
 * instances can share one set: this interface is what a PostgreSQL backend implements too.
 */
export interface NullifierStore {
  claim(entry: { scope: bigint; nullifier: bigint; x: bigint; y: bigint; root: bigint }): Promise<ClaimResult>
  saveResponse(scope: bigint, nullifier: bigint, response: StoredResponse): Promise<void>
  markSlashed(scope: bigint, nullifier: bigint, txHash: string): Promise<void>
  count(): Promise<number>
  close(): Promise<void>
}

type SqliteDb = {
  exec(sql: string): void
  run(sql: string, values?: unknown[]): { changes: number }
  get(sql: string, values?: unknown[]): Record<string, unknown> | null
  close(): void
}

/**
 * Nullifiers in an embedded SQLite database (SQLite compiled to WebAssembly, node-sqlite3-wasm, so no
 * native build step): write-ahead log with synchronous=FULL, so a recorded nullifier survives a
 * crash or kill -9 the moment claim() returns. One process owns a database file at a time
 * (exclusive locking).
 */
export class SqliteNullifierStore implements NullifierStore {
  private constructor(
    private readonly db: SqliteDb,
    private readonly path: string,
  ) {}

  static open(path: string): SqliteNullifierStore {
    mkdirSync(dirname(path), { recursive: true })
    const owner = `${path}.owner`
    // the owner file is created exclusively: two gateways can never both own one database
    for (;;) {
      const ownerState = claimPidFile(owner)
      if (ownerState.claimed) break
      if (ownerState.content === null) continue
      const content = ownerState.content
      const pid = Number(content.trim() || '0')
      if (pid === process.pid || (pid > 0 && processAlive(pid))) {
        throw new ZkPayError(
          'ZKPAY_NULLIFIER_DB_IN_USE',
          `Nullifier database ${path} is already open in process ${pid}${pid === process.pid ? ' (this one)' : ''}.`,
          { hint: 'Run one gateway per database file, and open it once per process.' },
        )
      }
      // the previous owner died: its SQLite lock is stale too (WAL recovery runs on open)
      takeOverStaleLock(owner, content, () => rmSync(`${path}.lock`, { recursive: true, force: true }))
    }
    const require = createRequire(import.meta.url)
    const { Database } = require('node-sqlite3-wasm') as { Database: new (p: string) => SqliteDb }
    const db = new Database(path)
    // one owner process: exclusive locking lets WAL work without shared memory; FULL syncs each commit
    db.exec('PRAGMA locking_mode = EXCLUSIVE;')
    db.get('PRAGMA journal_mode = WAL;')
    db.exec('PRAGMA synchronous = FULL;')
    db.exec(`CREATE TABLE IF NOT EXISTS nullifiers (
      scope TEXT NOT NULL, nullifier TEXT NOT NULL, x TEXT NOT NULL, y TEXT NOT NULL, root TEXT NOT NULL,
      created_at INTEGER NOT NULL, status INTEGER, headers TEXT, body BLOB, slashed_tx TEXT,
      PRIMARY KEY (scope, nullifier))`)
    return new SqliteNullifierStore(db, path)
  }

  async claim(e: { scope: bigint; nullifier: bigint; x: bigint; y: bigint; root: bigint }): Promise<ClaimResult> {
    const inserted = this.db.run(
      'INSERT OR IGNORE INTO nullifiers (scope, nullifier, x, y, root, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [e.scope.toString(), e.nullifier.toString(), e.x.toString(), e.y.toString(), e.root.toString(), Date.now()],
    )
    if (inserted.changes === 1) return { status: 'new' }
    const row = this.db.get(
      'SELECT x, y, status, headers, body, slashed_tx, created_at FROM nullifiers WHERE scope = ? AND nullifier = ?',
      [e.scope.toString(), e.nullifier.toString()],
    )!
    if (BigInt(row.x as string) === e.x) {
      const response =
        row.status === null
          ? null
          : {
              status: Number(row.status),
              headers: JSON.parse(row.headers as string) as Record<string, string>,
              body: (row.body as Uint8Array) ?? new Uint8Array(),
            }
      return { status: 'replay', response, claimedAt: Number(row.created_at) }
    }
    return {
      status: 'double-spend',
      previous: { x: BigInt(row.x as string), y: BigInt(row.y as string) },
      slashedTx: (row.slashed_tx as string | null) ?? null,
    }
  }

  async saveResponse(scope: bigint, nullifier: bigint, r: StoredResponse): Promise<void> {
    this.db.run('UPDATE nullifiers SET status = ?, headers = ?, body = ? WHERE scope = ? AND nullifier = ?', [
      r.status,
      JSON.stringify(r.headers),
      r.body,
      scope.toString(),
      nullifier.toString(),
    ])
  }

  async markSlashed(scope: bigint, nullifier: bigint, txHash: string): Promise<void> {
    this.db.run('UPDATE nullifiers SET slashed_tx = ? WHERE scope = ? AND nullifier = ?', [
      txHash,
      scope.toString(),
      nullifier.toString(),
    ])
  }

  async count(): Promise<number> {
    return Number(this.db.get('SELECT COUNT(*) AS n FROM nullifiers')!.n)
  }

  async close(): Promise<void> {
    this.db.close()
    rmSync(`${this.path}.owner`, { force: true })
  }
}

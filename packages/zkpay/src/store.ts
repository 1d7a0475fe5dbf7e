import { mkdirSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { createRequire } from 'node:module'
import { ZkPayError } from './errors.ts'
import { claimPidFile, processAlive, takeOverStaleLock } from './fsutil.ts'
import {
  newKdfParams,
  openShares,
  sealShares,
  sealingKey,
  type KdfParams,
  type SealedRow,
  type Share,
  type SlashRecord,
} from './seal.ts'

export type { Share, SlashRecord } from './seal.ts'

export type StoredResponse = { status: number; headers: Record<string, string>; body: Uint8Array }

export type ClaimResult =
  | { status: 'new' }
  /** Same nullifier, same message: a retry. `response` is null while the first call is still running. */
  | { status: 'replay'; response: StoredResponse | null; claimedAt: number }
  /** Same nullifier, another message: a double-spend; the earlier share reveals the secret. */
  | { status: 'double-spend'; previous: { x: bigint; y: bigint }; slashedTx: string | null }

/** What the store knows of a nullifier before any proof is checked (a read, no claim). */
export type NullifierState = { x: bigint; y: bigint; proofKey: string | null; slash: SlashRecord['state'] | null }

/**
 * Where spent nullifiers live. `claim` must be atomic (insert-if-absent), so that several gateway
 * instances can share one set: this interface is what a PostgreSQL backend implements too.
 */
export interface NullifierStore {
  claim(entry: ClaimEntry): Promise<ClaimResult>
  /** The nullifier's state, if it was ever claimed: lets the gate refuse before any pairing check. */
  peek(scope: bigint, nullifier: bigint): Promise<NullifierState | null>
  saveResponse(scope: bigint, nullifier: bigint, response: StoredResponse): Promise<void>
  /** Keeps both shares and the recovered secret (encrypted) before any slash is tried: a crash then loses nothing. */
  recordDoubleSpend(scope: bigint, nullifier: bigint, shares: [Share, Share], secret: bigint): Promise<void>
  /** Double-spends whose slash has not landed yet (decrypted), to retry. */
  pendingSlashes(): Promise<SlashRecord[]>
  slashRecord(scope: bigint, nullifier: bigint): Promise<SlashRecord | null>
  /** One more slash attempt was made (and failed or is in flight). */
  countSlashAttempt(scope: bigint, nullifier: bigint): Promise<void>
  markSlashed(scope: bigint, nullifier: bigint, txHash: string): Promise<void>
  /** The deposit left the pool (slashed by someone else, or exited): nothing left to take. */
  markSlashGone(scope: bigint, nullifier: bigint): Promise<void>
  count(): Promise<number>
  close(): Promise<void>
}

export type ClaimEntry = {
  scope: bigint
  nullifier: bigint
  x: bigint
  y: bigint
  root: bigint
  /** proofKey() of the verified proof: a retry with the very same proof is replayed without a pairing check. */
  proofKey?: string
}

export type NullifierStoreOptions = {
  /**
   * Encrypts what a double-spend reveals (both shares and the secret) at rest: scrypt → AES-256-GCM,
   * as the identity keystore. Without it a random key of this process is used, so a slash still
   * pending when the process dies cannot be resumed by the next one.
   */
  secretsPassword?: string
  /** scrypt cost (default 2^15; tests may lower it). */
  scryptN?: number
}

type SqliteDb = {
  exec(sql: string): void
  run(sql: string, values?: unknown[]): { changes: number }
  get(sql: string, values?: unknown[]): Record<string, unknown> | null
  all(sql: string, values?: unknown[]): Record<string, unknown>[]
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
    private readonly key: Uint8Array,
  ) {}

  static open(path: string, options: NullifierStoreOptions = {}): SqliteNullifierStore {
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
    const columns = db.get("SELECT COUNT(*) AS n FROM pragma_table_info('nullifiers') WHERE name = 'proof_key'")!
    if (Number(columns.n) === 0) db.exec('ALTER TABLE nullifiers ADD COLUMN proof_key TEXT')
    // a double-spend's shares and secret: sealed (AES-256-GCM, the row's scope and nullifier as AAD)
    db.exec(`CREATE TABLE IF NOT EXISTS slashes (
      scope TEXT NOT NULL, nullifier TEXT NOT NULL, nonce TEXT NOT NULL, sealed TEXT NOT NULL,
      state TEXT NOT NULL, tx TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
      PRIMARY KEY (scope, nullifier))`)
    db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)')
    // the salt and cost are kept beside the rows they protect; the password never is
    const key = sealingKey(options.secretsPassword, () => {
      const kdf = db.get("SELECT value FROM meta WHERE name = 'kdf'")
      if (kdf) return JSON.parse(kdf.value as string) as KdfParams
      const params = newKdfParams(options.scryptN)
      db.run("INSERT INTO meta (name, value) VALUES ('kdf', ?)", [JSON.stringify(params)])
      return params
    })
    return new SqliteNullifierStore(db, path, key)
  }

  async claim(e: ClaimEntry): Promise<ClaimResult> {
    const inserted = this.db.run(
      'INSERT OR IGNORE INTO nullifiers (scope, nullifier, x, y, root, created_at, proof_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        e.scope.toString(),
        e.nullifier.toString(),
        e.x.toString(),
        e.y.toString(),
        e.root.toString(),
        Date.now(),
        e.proofKey ?? null,
      ],
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

  async peek(scope: bigint, nullifier: bigint): Promise<NullifierState | null> {
    const key = [scope.toString(), nullifier.toString()]
    const row = this.db.get('SELECT x, y, proof_key FROM nullifiers WHERE scope = ? AND nullifier = ?', key)
    if (!row) return null
    const slash = this.db.get('SELECT state FROM slashes WHERE scope = ? AND nullifier = ?', key)
    return {
      x: BigInt(row.x as string),
      y: BigInt(row.y as string),
      proofKey: (row.proof_key as string | null) ?? null,
      slash: slash ? (slash.state as SlashRecord['state']) : null,
    }
  }

  async recordDoubleSpend(scope: bigint, nullifier: bigint, shares: [Share, Share], secret: bigint): Promise<void> {
    const { nonce, sealed } = sealShares(this.key, scope, nullifier, shares, secret)
    this.db.run(
      "INSERT OR IGNORE INTO slashes (scope, nullifier, nonce, sealed, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
      [scope.toString(), nullifier.toString(), nonce, sealed, Date.now()],
    )
  }

  private open(row: Record<string, unknown>): SlashRecord {
    return openShares(this.key, row as SealedRow)
  }

  async slashRecord(scope: bigint, nullifier: bigint): Promise<SlashRecord | null> {
    const row = this.db.get('SELECT * FROM slashes WHERE scope = ? AND nullifier = ?', [
      scope.toString(),
      nullifier.toString(),
    ])
    return row ? this.open(row) : null
  }

  async pendingSlashes(): Promise<SlashRecord[]> {
    const out: SlashRecord[] = []
    for (const row of this.db.all("SELECT * FROM slashes WHERE state = 'pending' ORDER BY created_at")) {
      try {
        out.push(this.open(row))
      } catch {
        // sealed with another process's key (no secretsPassword): cannot be resumed here
      }
    }
    return out
  }

  async countSlashAttempt(scope: bigint, nullifier: bigint): Promise<void> {
    this.db.run('UPDATE slashes SET attempts = attempts + 1 WHERE scope = ? AND nullifier = ?', [
      scope.toString(),
      nullifier.toString(),
    ])
  }

  async markSlashed(scope: bigint, nullifier: bigint, txHash: string): Promise<void> {
    const key = [scope.toString(), nullifier.toString()]
    this.db.run('UPDATE nullifiers SET slashed_tx = ? WHERE scope = ? AND nullifier = ?', [txHash, ...key])
    this.db.run("UPDATE slashes SET state = 'slashed', tx = ? WHERE scope = ? AND nullifier = ?", [txHash, ...key])
  }

  async markSlashGone(scope: bigint, nullifier: bigint): Promise<void> {
    // a slash that landed stays 'slashed': another gate finding the deposit gone afterwards changes nothing
    this.db.run("UPDATE slashes SET state = 'gone' WHERE scope = ? AND nullifier = ? AND state = 'pending'", [
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

import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { newKdfParams, openShares, sealShares, sealingKey, type KdfParams, type SealedRow } from './seal.ts'
import type {
  ClaimEntry,
  ClaimResult,
  NullifierState,
  NullifierStore,
  NullifierStoreOptions,
  Share,
  SlashRecord,
  StoredResponse,
} from './store.ts'

export type PostgresNullifierStoreOptions = NullifierStoreOptions & {
  /** Connections this process keeps open at most (default 10). */
  maxConnections?: number
}

// one lock id for the schema: two gateways starting together create it once, one after the other
const SCHEMA_LOCK = 0x6865726d6974n // "hermit"
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS zkpay_nullifiers (
    scope TEXT NOT NULL, nullifier TEXT NOT NULL, x TEXT NOT NULL, y TEXT NOT NULL, root TEXT NOT NULL,
    created_at BIGINT NOT NULL, proof_key TEXT, claim_token TEXT, status INTEGER, headers TEXT, body BYTEA, slashed_tx TEXT,
    PRIMARY KEY (scope, nullifier))`,
  `CREATE TABLE IF NOT EXISTS zkpay_slashes (
    scope TEXT NOT NULL, nullifier TEXT NOT NULL, nonce TEXT NOT NULL, sealed TEXT NOT NULL,
    state TEXT NOT NULL, tx TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, nullifier))`,
  'CREATE TABLE IF NOT EXISTS zkpay_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
]

/**
 * A connection the server closed or refused (a restart, a failover): the statement did not run, or
 * its outcome is unknown. Every statement here is safe to send again (see `claim` for the insert).
 */
function connectionLost(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  if (
    typeof code === 'string' &&
    (/^(08|57P0[123])/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code))
  )
    return true
  return e instanceof Error && /Connection terminated|connection is closed/i.test(e.message)
}

type NullifierRow = {
  x: string
  y: string
  claim_token: string | null
  status: number | null
  headers: string | null
  body: Buffer | null
  slashed_tx: string | null
  created_at: string
}

/**
 * Nullifiers in PostgreSQL, shared by any number of gateway processes. Every step that must be
 * atomic is one statement: the claim is `INSERT … ON CONFLICT DO NOTHING` (exactly one process gets
 * "new" for a nullifier, whatever the interleaving), the recorded answer one UPDATE of that row, a
 * double-spend record one insert-if-absent. A claim returns only after its commit, so a nullifier
 * the gate acted on is on the database's disk (synchronous_commit) before the handler runs.
 */
export class PostgresNullifierStore implements NullifierStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly key: Uint8Array,
  ) {}

  static async open(url: string, options: PostgresNullifierStoreOptions = {}): Promise<PostgresNullifierStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 })
    // an idle connection the server closed (a restart, a failover) is dropped, not thrown at the process
    pool.on('error', () => {})
    try {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK.toString()])
        for (const sql of SCHEMA) await client.query(sql)
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {})
        throw e
      } finally {
        client.release()
      }
      let params: KdfParams | undefined
      if (options.secretsPassword !== undefined) {
        // the first process to open the store picks the salt; every later one reads the same
        const fresh = newKdfParams(options.scryptN)
        await pool.query("INSERT INTO zkpay_meta (name, value) VALUES ('kdf', $1) ON CONFLICT DO NOTHING", [
          JSON.stringify(fresh),
        ])
        const { rows } = await pool.query<{ value: string }>("SELECT value FROM zkpay_meta WHERE name = 'kdf'")
        params = JSON.parse(rows[0]!.value) as KdfParams
      }
      return new PostgresNullifierStore(
        pool,
        sealingKey(options.secretsPassword, () => params!),
      )
    } catch (e) {
      await pool.end().catch(() => {})
      throw e
    }
  }

  /** One statement, tried up to 5 times (100, 200, 400 and 800 ms apart) while the database is unreachable. */
  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pool.query<R>(sql, values)
      } catch (e) {
        if (attempt >= 4 || !connectionLost(e)) throw e
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt))
      }
    }
  }

  async claim(e: ClaimEntry): Promise<ClaimResult> {
    const key = [e.scope.toString(), e.nullifier.toString()]
    // this claim's own token: if the connection drops after the insert committed, the retried
    // statement finds our row and the claim is still "new", not a replay of itself
    const token = randomUUID()
    const inserted = await this.query(
      `INSERT INTO zkpay_nullifiers (scope, nullifier, x, y, root, created_at, proof_key, claim_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
      [...key, e.x.toString(), e.y.toString(), e.root.toString(), Date.now(), e.proofKey ?? null, token],
    )
    if (inserted.rowCount === 1) return { status: 'new' }
    // a statement of its own, so it sees the row the concurrent winner committed (read committed)
    const { rows } = await this.query<NullifierRow>(
      'SELECT x, y, claim_token, status, headers, body, slashed_tx, created_at FROM zkpay_nullifiers WHERE scope = $1 AND nullifier = $2',
      key,
    )
    const row = rows[0]!
    if (row.claim_token === token) return { status: 'new' }
    if (BigInt(row.x) === e.x) {
      const response =
        row.status === null
          ? null
          : {
              status: row.status,
              headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
              body: new Uint8Array(row.body ?? []),
            }
      return { status: 'replay', response, claimedAt: Number(row.created_at) }
    }
    return { status: 'double-spend', previous: { x: BigInt(row.x), y: BigInt(row.y) }, slashedTx: row.slashed_tx }
  }

  async peek(scope: bigint, nullifier: bigint): Promise<NullifierState | null> {
    const { rows } = await this.query<{ x: string; y: string; proof_key: string | null; state: string | null }>(
      `SELECT n.x, n.y, n.proof_key, s.state FROM zkpay_nullifiers n
       LEFT JOIN zkpay_slashes s ON s.scope = n.scope AND s.nullifier = n.nullifier
       WHERE n.scope = $1 AND n.nullifier = $2`,
      [scope.toString(), nullifier.toString()],
    )
    const row = rows[0]
    if (!row) return null
    return {
      x: BigInt(row.x),
      y: BigInt(row.y),
      proofKey: row.proof_key,
      slash: row.state as SlashRecord['state'] | null,
    }
  }

  async saveResponse(scope: bigint, nullifier: bigint, r: StoredResponse): Promise<void> {
    await this.query(
      'UPDATE zkpay_nullifiers SET status = $1, headers = $2, body = $3 WHERE scope = $4 AND nullifier = $5',
      [r.status, JSON.stringify(r.headers), Buffer.from(r.body), scope.toString(), nullifier.toString()],
    )
  }

  async recordDoubleSpend(scope: bigint, nullifier: bigint, shares: [Share, Share], secret: bigint): Promise<void> {
    const { nonce, sealed } = sealShares(this.key, scope, nullifier, shares, secret)
    await this.query(
      `INSERT INTO zkpay_slashes (scope, nullifier, nonce, sealed, state, created_at)
       VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING`,
      [scope.toString(), nullifier.toString(), nonce, sealed, Date.now()],
    )
  }

  async slashRecord(scope: bigint, nullifier: bigint): Promise<SlashRecord | null> {
    const { rows } = await this.query<SealedRow>('SELECT * FROM zkpay_slashes WHERE scope = $1 AND nullifier = $2', [
      scope.toString(),
      nullifier.toString(),
    ])
    return rows[0] ? openShares(this.key, rows[0]) : null
  }

  async pendingSlashes(): Promise<SlashRecord[]> {
    const { rows } = await this.query<SealedRow>(
      "SELECT * FROM zkpay_slashes WHERE state = 'pending' ORDER BY created_at",
    )
    const out: SlashRecord[] = []
    for (const row of rows) {
      try {
        out.push(openShares(this.key, row))
      } catch {
        // sealed with another process's key (no secretsPassword): cannot be resumed here
      }
    }
    return out
  }

  async countSlashAttempt(scope: bigint, nullifier: bigint): Promise<void> {
    await this.query('UPDATE zkpay_slashes SET attempts = attempts + 1 WHERE scope = $1 AND nullifier = $2', [
      scope.toString(),
      nullifier.toString(),
    ])
  }

  async markSlashed(scope: bigint, nullifier: bigint, txHash: string): Promise<void> {
    // both rows in one statement: a crash between them cannot leave one marked and not the other
    await this.query(
      `WITH n AS (UPDATE zkpay_nullifiers SET slashed_tx = $1 WHERE scope = $2 AND nullifier = $3)
       UPDATE zkpay_slashes SET state = 'slashed', tx = $1 WHERE scope = $2 AND nullifier = $3`,
      [txHash, scope.toString(), nullifier.toString()],
    )
  }

  async markSlashGone(scope: bigint, nullifier: bigint): Promise<void> {
    // a slash that landed (from another gateway, say) stays 'slashed'
    await this.query(
      "UPDATE zkpay_slashes SET state = 'gone' WHERE scope = $1 AND nullifier = $2 AND state = 'pending'",
      [scope.toString(), nullifier.toString()],
    )
  }

  async count(): Promise<number> {
    const { rows } = await this.query<{ n: string }>('SELECT COUNT(*) AS n FROM zkpay_nullifiers')
    return Number(rows[0]!.n)
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}

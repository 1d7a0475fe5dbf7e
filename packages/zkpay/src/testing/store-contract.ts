// What every NullifierStore must do, as tests: store.test.ts runs them on SQLite,
// store-postgres.test.ts on PostgreSQL. Imported by test files directly (it imports vitest), not
// re-exported from ./testing.
import { expect, it } from 'vitest'
import type { NullifierStore, NullifierStoreOptions } from '../store.ts'

export type StoreOpener = {
  /** A new, empty place for a store (a file path, a database URL). */
  fresh(): Promise<string>
  open(where: string, options?: NullifierStoreOptions): Promise<NullifierStore>
}

const sealing = { secretsPassword: 'the sealing password', scryptN: 1024 }

export function nullifierStoreContract(s: StoreOpener): void {
  it('claims atomically: new, then replay for the same x, double-spend for another x', async () => {
    const store = await s.open(await s.fresh())
    expect(await store.claim({ scope: 1n, nullifier: 2n, x: 3n, y: 4n, root: 5n })).toEqual({ status: 'new' })
    expect(await store.claim({ scope: 1n, nullifier: 2n, x: 3n, y: 4n, root: 5n })).toMatchObject({
      status: 'replay',
      response: null,
    })
    await store.saveResponse(1n, 2n, { status: 200, headers: { a: 'b' }, body: new Uint8Array([1, 2]) })
    expect(await store.claim({ scope: 1n, nullifier: 2n, x: 3n, y: 4n, root: 5n })).toMatchObject({
      status: 'replay',
      response: { status: 200, headers: { a: 'b' }, body: new Uint8Array([1, 2]) },
    })
    expect(await store.claim({ scope: 1n, nullifier: 2n, x: 8n, y: 9n, root: 5n })).toEqual({
      status: 'double-spend',
      previous: { x: 3n, y: 4n },
      slashedTx: null,
    })
    // another scope (another pool) is another nullifier space
    expect(await store.claim({ scope: 6n, nullifier: 2n, x: 8n, y: 9n, root: 5n })).toEqual({ status: 'new' })
    expect(await store.count()).toBe(2)
    await store.close()
  })

  it('32 concurrent claims of one nullifier: exactly one is new, the same x replays, another x is a double-spend', async () => {
    const store = await s.open(await s.fresh())
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, k) =>
        store.claim({ scope: 1n, nullifier: 7n, x: k % 2 === 0 ? 3n : 8n, y: 4n, root: 5n }),
      ),
    )
    expect(results.filter((r) => r.status === 'new')).toHaveLength(1)
    const winner = results.findIndex((r) => r.status === 'new') % 2 === 0 ? 3n : 8n
    for (const [k, r] of results.entries()) {
      if (r.status === 'new') continue
      const x = k % 2 === 0 ? 3n : 8n
      expect(r.status).toBe(x === winner ? 'replay' : 'double-spend')
    }
    await store.close()
  })

  it('a double-spend record: peek sees its state, it is pending until slashed, and a later "gone" does not undo a landed slash', async () => {
    const where = await s.fresh()
    const store = await s.open(where, sealing)
    const secret = 123456789012345678901234567890n
    const shares: [{ x: bigint; y: bigint }, { x: bigint; y: bigint }] = [
      { x: 3n, y: 4n },
      { x: 8n, y: 987654321098765432109876543210n },
    ]
    await store.claim({ scope: 1n, nullifier: 2n, x: 3n, y: 4n, root: 5n, proofKey: 'k' })
    expect(await store.peek(1n, 2n)).toEqual({ x: 3n, y: 4n, proofKey: 'k', slash: null })
    expect(await store.peek(1n, 99n)).toBeNull()
    await store.recordDoubleSpend(1n, 2n, shares, secret)
    // a second gateway recording the same double-spend changes nothing
    await store.recordDoubleSpend(1n, 2n, shares, secret)
    expect(await store.peek(1n, 2n)).toMatchObject({ slash: 'pending' })
    expect(await store.pendingSlashes()).toMatchObject([{ nullifier: 2n, shares, secret, state: 'pending' }])
    await store.countSlashAttempt(1n, 2n)
    await store.markSlashed(1n, 2n, '0xabc')
    await store.markSlashGone(1n, 2n)
    expect(await store.pendingSlashes()).toEqual([])
    expect(await store.claim({ scope: 1n, nullifier: 2n, x: 8n, y: 9n, root: 5n })).toMatchObject({
      status: 'double-spend',
      slashedTx: '0xabc',
    })
    await store.close()
    const reopened = await s.open(where, sealing)
    expect(await reopened.slashRecord(1n, 2n)).toMatchObject({
      secret,
      shares,
      state: 'slashed',
      tx: '0xabc',
      attempts: 1,
    })
    await reopened.close()
    const wrong = await s.open(where, { ...sealing, secretsPassword: 'another password' })
    await expect(wrong.slashRecord(1n, 2n)).rejects.toMatchObject({ code: 'ZKPAY_SLASH_RECORD_SEALED' })
    expect(await wrong.pendingSlashes()).toEqual([])
    await wrong.close()
  })
}

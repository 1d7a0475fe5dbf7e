import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCreditTree, loadVerificationKey, terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { ticketHeaderName } from './protocol.ts'
import { earlierTrees, type PoolTreeEvent } from './roots.ts'
import { createZkPayGate, type GateEvent } from './server.ts'
import { SqliteNullifierStore } from './store.ts'
import { devnetClient, devnetDepositor, devnetPool } from './testing/index.ts'
import { ProofVerifierPool } from './verifier.ts'

/** The events of deposits of `leaves`, then removals of `removed`, each with the root the pool would emit. */
function events(leaves: bigint[], removed: number[] = []): PoolTreeEvent[] {
  const tree = createCreditTree()
  const out: PoolTreeEvent[] = []
  let block = 1n
  for (const [index, leaf] of leaves.entries()) {
    tree.insert(leaf)
    out.push({ block: block++, logIndex: 0, kind: 'deposit', index, leaf, tickets: 2n, root: tree.root })
  }
  for (const index of removed) {
    tree.update(index, 0n)
    out.push({ block: block++, logIndex: 0, kind: 'removal', index, leaf: 0n, tickets: 0n, root: tree.root })
  }
  return out
}

describe('earlierTrees: the trees a client proves against when the gate has not seen the newest root', () => {
  it('rebuilds the trees of the roots before a given one, newest first, removals included', () => {
    const all = events([11n, 22n, 33n], [0])
    const [, second, third, removal] = all as [PoolTreeEvent, PoolTreeEvent, PoolTreeEvent, PoolTreeEvent]
    const trees = earlierTrees(all, removal.root, 2)
    expect(trees.map((t) => t.root)).toEqual([third.root, second.root])
    expect(trees[0]!.tree.size).toBe(3)
    expect(trees[1]!.tree.size).toBe(2)
    expect(trees[0]!.removed.size).toBe(0)
    // before a root that a later event left unchanged (a slash of an exiting deposit emits the same root)
    const unchanged = [...all, { ...removal, block: removal.block + 1n }]
    expect(earlierTrees(unchanged, removal.root, 1).map((t) => t.root)).toEqual([third.root])
    // the tree after the removal, seen from before nothing: the removal is replayed
    expect(earlierTrees(all, 999n, 1)).toMatchObject([{ root: removal.root, removed: new Set([0]) }])
  })
})

describe('a call paying k > 1 tickets against a root the gate does not accept', () => {
  const net = useDevnet()
  const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-roots-'))
  afterAll(() => terminateProver())

  it('is proved again, every ticket with its same one-time key, at a root in the window, and served: no new ticket', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const store = SqliteNullifierStore.open(join(dir, 'many.sqlite'))
    const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1 })
    const events: GateEvent[] = []
    // the gate's clock stands still: its view of the pool's roots is not looked at again during the test
    const clock = Date.now()
    const gate = createZkPayGate({
      publicClient: net().publicClient,
      pool,
      store,
      verifier,
      fromBlock,
      now: () => clock,
      ticketsFor: () => 2,
      onEvent: (e) => events.push(e),
    })
    const url = 'http://gateway.example/v1/chat'
    const sent: { publicKey: string; nullifier: string; root: string }[][] = []
    try {
      const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
        fromBlock,
        fetch: (u, init) => {
          const request = new Request(u, init)
          const call: (typeof sent)[number] = []
          for (let j = 0; request.headers.has(ticketHeaderName(j)); j++) {
            const p = JSON.parse(Buffer.from(request.headers.get(ticketHeaderName(j))!, 'base64').toString()) as {
              payload: { publicSignals: string[]; oneTimeKey: { publicKey: string } }
            }
            const [, nullifier, root] = p.payload.publicSignals as [string, string, string]
            call.push({ publicKey: p.payload.oneTimeKey.publicKey, nullifier, root })
          }
          if (call.length > 0) sent.push(call)
          return gate.fetch(request, async () => ({ body: 'served' }))
        },
      })
      await gate.requirements(url) // the gate's view of the roots: the one with this deposit
      // a deposit the gate has not seen moves the root: the client proves both tickets against the new one
      await devnetDepositor(net(), pool, 2, 1n, dir)
      const res = await client.fetch(url, { method: 'POST', body: '{"q":1}' }, { tickets: 2 })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('served')
      expect(res.tickets).toEqual([0, 1])
      expect(client.remainingTickets()).toBe(1)
      expect(await store.count()).toBe(2)
      expect(events.filter((e) => e.kind === 'rejected' && e.code === 'ZKPAY_STALE_ROOT')).toHaveLength(1)
      // two sends of the same two tickets (same keys, same nullifiers), the second at the root before
      expect(sent).toHaveLength(2)
      const [first, second] = sent as [(typeof sent)[number], (typeof sent)[number]]
      expect(second.map((t) => [t.publicKey, t.nullifier])).toEqual(first.map((t) => [t.publicKey, t.nullifier]))
      expect(new Set(first.map((t) => t.root)).size).toBe(1)
      expect(second.every((t) => t.root !== first[0]!.root)).toBe(true)
    } finally {
      await verifier.close()
      await store.close()
    }
  }, 120_000)
})

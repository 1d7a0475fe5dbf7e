import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { loadVerificationKey, terminateProver } from '@hermit/circuits'
import { HEADER_PREVERIFY, HEADER_SIGNATURE, encodeHeader } from './protocol.ts'
import { createZkPayGate, type PaidHandler } from './server.ts'
import { SqliteNullifierStore } from './store.ts'
import { ProofVerifierPool } from './verifier.ts'
import { devnetClient, devnetDepositor, devnetPool, startPaidServer } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-claims-'))
const handler: PaidHandler = async (req) => ({ headers: { 'content-type': 'text/plain' }, body: `ok ${req.url}` })

afterAll(async () => {
  await terminateProver()
})

/** BN254's base field: negating a point's y coordinate is a field negation. */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
const neg = (v: string): string => ((Q - BigInt(v)) % Q).toString()

describe('README claims: anonymous paid calls', () => {
  it('the gate refuses a proof whose root left the pool root window with ZKPAY_STALE_ROOT (and accepts it while inside)', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const server = await startPaidServer(net(), pool, {
      dbPath: join(dir, 'stale.sqlite'),
      handler,
      fromBlock,
      rootCacheMs: 0,
      // the test jumps the chain's clock (increaseTime); between looks at the head (at most every
      // rootRecheckMs) the gate counts chain time from the wall clock, which a jump outruns
      gate: { rootRecheckMs: 0 },
    })
    try {
      // payments made against the current root, held back on their way to the server
      const held: string[] = []
      const { client } = await devnetClient(net(), pool, 1, 4n, dir, {
        fromBlock,
        fetch: (url, init) => {
          const h = new Headers(init?.headers).get(HEADER_SIGNATURE)
          if (!h) return fetch(url, init)
          held.push(h)
          return Promise.resolve(new Response('held back', { status: 503 }))
        },
      })
      expect((await client.fetch(`${server.url}/a`)).status).toBe(503)
      expect((await client.fetch(`${server.url}/b`)).status).toBe(503)
      expect(held).toHaveLength(2)
      // another deposit replaces the root: the old one stays accepted for rootWindow
      await devnetDepositor(net(), pool, 2, 2n, dir)
      const inside = await fetch(`${server.url}/a`, { headers: { [HEADER_SIGNATURE]: held[0]! } })
      expect(inside.status).toBe(200)
      // past the window (and after more deposits) the old root is refused
      await net().testClient.increaseTime({ seconds: Number(pool.rootWindow) + 1 })
      await devnetDepositor(net(), pool, 3, 2n, dir)
      await net().testClient.mine({ blocks: 1 })
      const stale = await fetch(`${server.url}/b`, { headers: { [HEADER_SIGNATURE]: held[1]! } })
      expect(stale.status).toBe(402)
      expect(await stale.json()).toMatchObject({ error: { code: 'ZKPAY_STALE_ROOT' } })
      expect(await server.store.count()).toBe(1) // the refused payment spent nothing at the gate
    } finally {
      await server.close()
    }
  }, 120_000)

  it('minAnonymitySet: a client refuses to pay (ZKPAY_ANONYMITY_TOO_SMALL) while the pool has fewer live deposits, and pays once enough exist', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const server = await startPaidServer(net(), pool, { dbPath: join(dir, 'anonymity.sqlite'), handler, fromBlock })
    try {
      const { client } = await devnetClient(net(), pool, 1, 3n, dir, {
        fromBlock,
        minAnonymitySet: 3,
        refuseSmallAnonymitySet: true,
      })
      await expect(client.fetch(`${server.url}/small`)).rejects.toMatchObject({ code: 'ZKPAY_ANONYMITY_TOO_SMALL' })
      expect(client.remainingTickets()).toBe(3) // no ticket reserved
      expect(await server.store.count()).toBe(0)
      await devnetDepositor(net(), pool, 2, 2n, dir)
      await expect(client.fetch(`${server.url}/small`)).rejects.toMatchObject({ code: 'ZKPAY_ANONYMITY_TOO_SMALL' })
      await devnetDepositor(net(), pool, 3, 2n, dir)
      const paid = await client.fetch(`${server.url}/enough`)
      expect(paid.status).toBe(200)
      expect(paid.payment).toMatchObject({ success: true, status: 'new' })
      expect(client.remainingTickets()).toBe(2)
    } finally {
      await server.close()
    }
  }, 120_000)

  it('minAnonymitySet without refuseSmallAnonymitySet: the client warns below the minimum and still pays', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const server = await startPaidServer(net(), pool, { dbPath: join(dir, 'warn.sqlite'), handler, fromBlock })
    try {
      const warnings: string[] = []
      const { client } = await devnetClient(net(), pool, 1, 2n, dir, {
        fromBlock,
        minAnonymitySet: 2,
        onWarning: (m) => warnings.push(m),
      })
      expect((await client.fetch(`${server.url}/warned`)).status).toBe(200)
      expect(warnings).toEqual([expect.stringMatching(/Only 1 live deposits.*wanted ≥ 2/)])
      await devnetDepositor(net(), pool, 2, 2n, dir)
      expect((await client.fetch(`${server.url}/quiet`)).status).toBe(200)
      expect(warnings).toHaveLength(1)
    } finally {
      await server.close()
    }
  }, 120_000)

  describe('preverify cache', () => {
    /** A gate with preverify `{ capacity }`, reached in-process; a client that sends its proofs ahead. */
    async function setup(capacity: number, tickets: bigint) {
      const { pool, fromBlock } = await devnetPool(net())
      const store = SqliteNullifierStore.open(join(dir, `preverify-${capacity}-${Date.now()}.sqlite`))
      const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1 })
      const gate = createZkPayGate({
        publicClient: net().publicClient,
        pool,
        store,
        verifier,
        fromBlock,
        preverify: { capacity },
      })
      const ahead: string[] = []
      const { client } = await devnetClient(net(), pool, 1, tickets, dir, {
        fromBlock,
        preverify: true,
        fetch: (url, init) => {
          const request = new Request(url, init)
          const h = request.headers.get(HEADER_PREVERIFY)
          if (h) ahead.push(h)
          return gate.fetch(request, handler)
        },
      })
      const sendAhead = (header: string) =>
        gate.fetch(new Request('http://gateway.example/v1/chat', { headers: { [HEADER_PREVERIFY]: header } }), handler)
      const close = async () => {
        await verifier.close()
        await store.close()
      }
      return { client, verifier, ahead, sendAhead, close }
    }

    it('one slot per ticket: copies of one proof sent ahead many times (the same, or a re-randomized valid copy) never evict another ticket', async () => {
      const { client, verifier, ahead, sendAhead, close } = await setup(2, 4n)
      try {
        await client.precompute('http://gateway.example/v1/chat', 2)
        await client.precompute('http://gateway.example/v1/chat', 0) // no background proving from here on
        expect(ahead).toHaveLength(2)
        const verify = vi.spyOn(verifier, 'verify')
        // the second ticket's proof, sent ahead again and again
        for (let k = 0; k < 20; k++) expect((await sendAhead(ahead[1]!)).status).toBe(204)
        // and a different, equally valid proof of the same ticket: (-A, -B, C) satisfies the same pairing equation
        const copy = JSON.parse(Buffer.from(ahead[1]!, 'base64').toString()) as {
          payload: { proof: { a: string[]; b: string[][] } }
        }
        const { a, b } = copy.payload.proof
        copy.payload.proof.a = [a[0]!, neg(a[1]!)]
        copy.payload.proof.b = [b[0]!, [neg(b[1]![0]!), neg(b[1]![1]!)]]
        // the first verified proof keeps the ticket's slot: the copy is refused without a pairing check
        const refused = await sendAhead(encodeHeader(copy))
        expect(refused.status).toBe(409)
        expect(await refused.json()).toMatchObject({ error: { code: 'ZKPAY_ALREADY_PREVERIFIED' } })
        expect(verify).not.toHaveBeenCalled() // neither the repeats nor the copy cost a pairing check
        // the first ticket kept its slot: its call takes the fast path (no pairing check)
        const first = await client.fetch('http://gateway.example/v1/chat', { method: 'POST', body: 'first' })
        expect(first.status).toBe(200)
        expect(first.ticket).toBe(0)
        expect(verify).not.toHaveBeenCalled()
      } finally {
        await close()
      }
    }, 120_000)

    it('preverify.capacity bounds the cache: beyond it the oldest proof is forgotten and its call is verified in full', async () => {
      const { client, verifier, ahead, close } = await setup(1, 4n)
      try {
        await client.precompute('http://gateway.example/v1/chat', 2)
        await client.precompute('http://gateway.example/v1/chat', 0)
        expect(ahead).toHaveLength(2)
        const verify = vi.spyOn(verifier, 'verify')
        // ticket 0's proof was evicted by ticket 1's: its call runs the pairing check
        const first = await client.fetch('http://gateway.example/v1/chat', { method: 'POST', body: 'first' })
        expect([first.status, first.ticket]).toEqual([200, 0])
        expect(verify).toHaveBeenCalledTimes(1)
        // ticket 1's proof is still remembered: the fast path
        const second = await client.fetch('http://gateway.example/v1/chat', { method: 'POST', body: 'second' })
        expect([second.status, second.ticket]).toEqual([200, 1])
        expect(verify).toHaveBeenCalledTimes(1)
      } finally {
        await close()
      }
    }, 120_000)
  })
})

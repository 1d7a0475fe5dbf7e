// The provider's own promises, each with a test that fails when the promise breaks: at most
// `maxOpenQuotes` unfunded quotes, a handler bounded by `handlerTimeoutMs` even when it ignores its
// signal, and the deliverable on disk before its hash goes on-chain.
import {
  createWalletClient,
  custom,
  decodeFunctionData,
  isAddressEqual,
  parseTransaction,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem'
import { describe, expect, it } from 'vitest'
import { agenticCommerceAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import type { Devnet } from '@hermit/devnet'
import { getAgent } from '@hermit/erc8004'
import { DeliverableStore, deliverableHash } from './deliverable.ts'
import { chainTime, withWallet } from './handle.ts'
import { recordedAcceptance } from './hook.ts'
import {
  createJob,
  encodeJobRequest,
  fundJob,
  getJob,
  JOB_SERVICE,
  ProviderAgent,
  setBudget,
  summarizeSkill,
  type ProviderEvent,
  type Skill,
} from './index.ts'
import { advanceChainPast, devnetParty, usd, type DevnetParty } from './testing/index.ts'

const net = useDevnet()
const TEXT =
  'Escrow holds the budget until the evaluator decides. The provider locks a bond. ' +
  'A rejected job refunds the client and pays it the bond. Reputation is written by the hook.'
const PRICE = usd('2')

/** Polls `read` (bounded, no fixed sleep) until it returns something; `seen` goes into the error. */
async function until<T>(read: () => T | undefined, seen: () => unknown, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(
        `condition not met in ${ms} ms; seen: ${JSON.stringify(seen(), (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
      )
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * A provider for dev account 2 that only moves when the test calls `tick()` (its own poll is an
 * hour), with `skill` as its `summarize` skill; `events` is what it reports.
 */
async function providerFor(
  provider: DevnetParty,
  options: { skill?: Skill; maxOpenQuotes?: number; handlerTimeoutMs?: number } = {},
) {
  const events: ProviderEvent[] = []
  const agent = new ProviderAgent({
    escrow: provider.escrow,
    erc8004: provider.erc8004,
    name: 'P',
    description: 'p',
    skills: { summarize: options.skill ?? summarizeSkill(PRICE) },
    dataDir: provider.dataDir,
    pollMs: 3_600_000,
    ...(options.maxOpenQuotes === undefined ? {} : { maxOpenQuotes: options.maxOpenQuotes }),
    ...(options.handlerTimeoutMs === undefined ? {} : { handlerTimeoutMs: options.handlerTimeoutMs }),
    onEvent: (e) => events.push(e),
  })
  return { agent, events }
}

/** An Open job from `client` to `provider` (by default: on the Hermit hook, a summary, an hour to go), evaluated by dev account 3. */
async function openJob(
  d: Devnet,
  client: DevnetParty,
  provider: DevnetParty,
  terms: { description?: string; hook?: Address; seconds?: bigint } = {},
): Promise<bigint> {
  const { jobId } = await createJob(client.escrow, {
    provider: provider.account.address,
    evaluator: d.accounts[3]!.address,
    expiredAt: (await chainTime(client.escrow)) + (terms.seconds ?? 3600n),
    description: terms.description ?? encodeJobRequest({ v: 1, skill: 'summarize', input: TEXT }),
    ...(terms.hook ? { hook: terms.hook } : {}),
  })
  return jobId
}

const quotedIds = (events: ProviderEvent[]) =>
  events.flatMap((e) => (e.kind === 'quoted' ? [e.jobId] : [])).sort((a, b) => (a < b ? -1 : 1))

describe('provider promises', () => {
  it('maxOpenQuotes: with 2 allowed, 3 jobs arriving together get 2 quotes; the third is quoted once one is funded', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const { agent, events } = await providerFor(provider, { maxOpenQuotes: 2 })
    await agent.start()
    try {
      // all three exist before the provider's next pass, so it sees them in one pass
      const jobs = [
        await openJob(d, client, provider),
        await openJob(d, client, provider),
        await openJob(d, client, provider),
      ]
      await agent.tick()
      await until(
        () => (quotedIds(events).length >= 2 ? true : undefined),
        () => events,
      )
      await agent.tick() // a later pass does not quote the third either: the limit is on open quotes
      await until(
        () =>
          events.filter((e) => 'jobId' in e && (e.jobId === jobs[0] || e.jobId === jobs[1])).length >= 2
            ? true
            : undefined,
        () => events,
      )
      const quoted = quotedIds(events)
      expect(quoted).toHaveLength(2)
      const [waiting] = jobs.filter((j) => !quoted.includes(j))
      expect((await recordedAcceptance(client.escrow, waiting!)).accepted).toBe(false)
      expect((await getJob(client.escrow, waiting!)).budget).toBe(0n)

      // one quote is funded: it is no longer an open quote, so the waiting job gets its quote
      await fundJob(client.escrow, quoted[0]!, PRICE)
      await agent.tick()
      await until(
        () => (quotedIds(events).includes(waiting!) ? true : undefined),
        () => events,
      )
      expect((await recordedAcceptance(client.escrow, waiting!)).accepted).toBe(true)
      expect((await getJob(client.escrow, waiting!)).budget).toBe(PRICE)
    } finally {
      await agent.stop()
    }
  }, 60_000)

  it('handlerTimeoutMs bounds a handler that ignores its abort signal: the job fails, nothing is submitted, and the next pass tries again', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const signals: AbortSignal[] = []
    // never settles, and never looks at its signal
    const deaf: Skill = {
      price: PRICE,
      handler: (ctx) => {
        signals.push(ctx.signal)
        return new Promise<string>(() => {})
      },
    }
    const { agent, events } = await providerFor(provider, { skill: deaf, handlerTimeoutMs: 300 })
    await agent.start()
    try {
      const jobId = await openJob(d, client, provider)
      await agent.tick()
      await until(
        () => events.find((e) => e.kind === 'quoted'),
        () => events,
      )
      await fundJob(client.escrow, jobId, PRICE)
      await agent.tick()
      const failed = await until(
        () => events.find((e) => e.kind === 'failed'),
        () => events,
        10_000,
      )
      expect(failed).toMatchObject({ jobId, reason: expect.stringMatching(/stopped or ran out of time/) })
      expect(signals).toHaveLength(1)
      expect(signals[0]!.aborted).toBe(true)
      // the job is not held by the hung handler: another pass starts the work again
      await agent.tick()
      await until(
        () => (events.filter((e) => e.kind === 'failed').length >= 2 ? true : undefined),
        () => events,
        10_000,
      )
      expect(signals).toHaveLength(2)
      expect(events.some((e) => e.kind === 'submitted')).toBe(false)
      expect((await getJob(client.escrow, jobId)).status).toBe('Funded')
    } finally {
      await agent.stop()
    }
  }, 60_000)

  it('the deliverable is on disk, with the bytes of its hash, when the submit transaction is sent', async () => {
    const d = net()
    const [client, party] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const store = new DeliverableStore(party.dataDir)
    // what the disk held at the moment each submit transaction left the provider's wallet
    const atSubmit: { jobId: bigint; deliverable: Hex; onDisk: Hex | undefined }[] = []
    const rpc = party.escrow.walletClient!.transport
    const walletClient = createWalletClient({
      chain: d.publicClient.chain,
      account: party.account,
      pollingInterval: 10,
      transport: custom({
        async request({ method, params }) {
          if (method === 'eth_sendRawTransaction') {
            const tx = parseTransaction((params as [Hex])[0])
            if (tx.to && isAddressEqual(tx.to, party.escrow.address) && tx.data) {
              const call = decodeFunctionData({ abi: agenticCommerceAbi, data: tx.data })
              if (call.functionName === 'submit') {
                const [jobId, deliverable] = call.args as readonly [bigint, Hex, Hex]
                const bytes = store.get(party.escrow.address, jobId)
                atSubmit.push({ jobId, deliverable, onDisk: bytes && deliverableHash(bytes) })
              }
            }
          }
          return rpc.request({ method, params } as Parameters<typeof rpc.request>[0])
        },
      }),
    })
    const provider: DevnetParty = {
      ...party,
      escrow: withWallet(party.escrow, walletClient),
      erc8004: { ...party.erc8004, walletClient },
    }
    const { agent, events } = await providerFor(provider)
    await agent.start()
    try {
      const jobId = await openJob(d, client, provider)
      await agent.tick()
      await until(
        () => events.find((e) => e.kind === 'quoted'),
        () => events,
      )
      await fundJob(client.escrow, jobId, PRICE)
      await agent.tick()
      const submitted = await until(
        () => events.find((e) => e.kind === 'submitted'),
        () => events,
      )
      const onChain = (await getJob(client.escrow, jobId)).deliverable
      expect(submitted).toMatchObject({ jobId, deliverable: onChain })
      expect(atSubmit).toEqual([{ jobId, deliverable: onChain, onDisk: onChain }])
    } finally {
      await agent.stop()
    }
  }, 60_000)

  it('declines what it cannot do by not quoting: an unknown skill, a description ' +
    'that is not a job request, another hook, too little time before the expiry', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const { agent, events } = await providerFor(provider)
    await agent.start()
    try {
      const jobs = {
        skill: await openJob(d, client, provider, {
          description: encodeJobRequest({ v: 1, skill: 'translate', input: 'x' }),
        }),
        request: await openJob(d, client, provider, { description: 'please summarize this' }),
        hook: await openJob(d, client, provider, { hook: zeroAddress }),
        time: await openJob(d, client, provider, { seconds: 200n }), // minWorkSeconds is 300 s by default
      }
      await agent.tick()
      const declined = await until(
        () => {
          const found = events.flatMap((e) => (e.kind === 'declined' ? [e] : []))
          return found.length >= 4 ? found : undefined
        },
        () => events,
      )
      const reasonOf = (jobId: bigint) => declined.find((e) => e.jobId === jobId)?.reason
      expect(reasonOf(jobs.skill)).toBe('no skill "translate"')
      expect(reasonOf(jobs.request)).toMatch(/^not a job request/)
      expect(reasonOf(jobs.hook)).toBe('the job does not use the Hermit job hook')
      expect(reasonOf(jobs.time)).toBe('expires in less than the 300 s of work it needs')
      expect(events.some((e) => e.kind === 'quoted')).toBe(false)
      for (const jobId of Object.values(jobs)) {
        expect((await recordedAcceptance(client.escrow, jobId)).accepted).toBe(false)
        expect((await getJob(client.escrow, jobId)).budget).toBe(0n)
      }
    } finally {
      await agent.stop()
    }
  }, 60_000)

  it('gives up on a client that keeps moving the budget: it quotes again three times, then declines', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const { agent, events } = await providerFor(provider)
    await agent.start()
    try {
      const jobId = await openJob(d, client, provider)
      const quotes = () => events.filter((e) => e.kind === 'quoted').length
      for (let round = 1; round <= 3; round++) {
        await agent.tick()
        await until(
          () => (quotes() >= round ? true : undefined),
          () => events,
        )
        expect((await getJob(client.escrow, jobId)).budget).toBe(PRICE)
        await setBudget(client.escrow, jobId, PRICE / 2n) // the client moves the price after the quote
      }
      await agent.tick()
      const declined = await until(
        () => events.find((e) => e.kind === 'declined'),
        () => events,
      )
      expect(declined).toMatchObject({ jobId, reason: 'the client keeps changing the budget' })
      expect(quotes()).toBe(3)
      expect((await getJob(client.escrow, jobId)).budget).toBe(PRICE / 2n)
    } finally {
      await agent.stop()
    }
  }, 60_000)

  it('never submits after the expiry: work that finishes once the chain passed ' +
    'the expiry is kept on disk, reported once as abandoned, and nothing is sent', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    let finish: (text: string) => void = () => {}
    const slow: Skill = { price: PRICE, handler: () => new Promise<string>((resolve) => (finish = resolve)) }
    const { agent, events } = await providerFor(provider, { skill: slow })
    await agent.start()
    let stopped = false
    try {
      const jobId = await openJob(d, client, provider)
      await agent.tick()
      await until(
        () => events.find((e) => e.kind === 'quoted'),
        () => events,
      )
      await fundJob(client.escrow, jobId, PRICE)
      await agent.tick()
      await until(
        () => events.find((e) => e.kind === 'working'),
        () => events,
      )
      await advanceChainPast(d, (await getJob(client.escrow, jobId)).expiredAt)
      finish('a summary, too late')
      const abandoned = await until(
        () => events.find((e) => e.kind === 'abandoned'),
        () => events,
      )
      expect(abandoned).toMatchObject({ jobId, reason: 'the job has expired: the work stays on disk, unsubmitted' })
      await agent.tick() // a later pass does not submit it either, nor say it again
      await agent.stop() // waits for the work in progress
      stopped = true
      expect(events.map((e) => e.kind)).toEqual(['registered', 'quoted', 'working', 'abandoned'])
      expect((await getJob(client.escrow, jobId)).status).toBe('Funded') // so the client can claim its refund
      expect(new DeliverableStore(provider.dataDir).get(provider.escrow.address, jobId)).toBeDefined()
    } finally {
      if (!stopped) await agent.stop()
    }
  }, 60_000)

  it('comes back on another port with the same data folder: the same agent id, no second registration, and its file names the new URL', async () => {
    const d = net()
    const provider = await devnetParty(d, 2)
    const first = await providerFor(provider)
    await first.agent.start()
    const agentId = first.agent.agentId!
    const oldUrl = first.agent.url
    await first.agent.stop()
    const second = await providerFor(provider)
    await second.agent.start()
    try {
      expect(second.agent.agentId).toBe(agentId)
      expect(second.agent.url).not.toBe(oldUrl)
      expect(first.events.filter((e) => e.kind === 'registered')).toHaveLength(1)
      expect(second.events.some((e) => e.kind === 'registered')).toBe(false)
      const listed = (await getAgent(provider.erc8004, agentId)).registration?.services.find(
        (s) => s.name === JOB_SERVICE,
      )
      expect(listed?.endpoint).toBe(second.agent.url)
    } finally {
      await second.agent.stop()
    }
  }, 60_000)
})

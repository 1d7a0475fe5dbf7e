import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import {
  ClientAgent,
  DELIVERABLE_AUTH_HEADER,
  DeliverableError,
  chainTime,
  createJob,
  rejectJob,
  encodeJobRequest,
  EvaluatorAgent,
  NoAgentError,
  ProviderAgent,
  deliverableAuthMessage,
  deliverableHash,
  fetchDeliverable,
  getJob,
  parseJobRequest,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
  type EvaluatorEvent,
  type HireStep,
  type Job,
  type ProviderEvent,
} from './index.ts'
import { DeliverableStore } from './deliverable.ts'
import { JobScanner } from './scan.ts'
import { devnetParty, usd } from './testing/index.ts'

const net = useDevnet()
const TEXT =
  'Escrow holds the budget until the evaluator decides. The provider locks a bond. ' +
  'A rejected job refunds the client and pays it the bond. Reputation is written by the hook.'

async function setup(options: { evaluatorIndex?: number; publicUrl?: string } = {}) {
  const d = net()
  const [client, provider, evaluator, stranger] = await Promise.all([
    devnetParty(d, 1),
    devnetParty(d, 2),
    devnetParty(d, options.evaluatorIndex ?? 3, { mint: '0' }),
    devnetParty(d, 4, { mint: '0' }),
  ])
  const events: ProviderEvent[] = []
  const agent = new ProviderAgent({
    escrow: provider.escrow,
    erc8004: provider.erc8004,
    name: 'P',
    description: 'p',
    skills: { summarize: summarizeSkill(usd('2')) },
    dataDir: provider.dataDir,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    pollMs: 50,
    onEvent: (e) => events.push(e),
  })
  await agent.start()
  const hirer = new ClientAgent({ escrow: client.escrow, erc8004: client.erc8004, account: client.account, pollMs: 50 })
  return { d, client, provider, evaluator, stranger, agent, events, hirer }
}

type Setup = Awaited<ReturnType<typeof setup>>

/** An evaluator agent for the setup's evaluator account, judging with `summaryChecks`; `events` is what it reports. */
function evaluatorOf(s: Setup, options: { unreachableAfterMs?: number } = {}) {
  const events: EvaluatorEvent[] = []
  const evaluator = new EvaluatorAgent({
    escrow: s.evaluator.escrow,
    erc8004: s.evaluator.erc8004,
    account: s.evaluator.account,
    check: summaryChecks,
    pollMs: 50,
    ...options,
    onEvent: (e) => events.push(e),
  })
  return { evaluator, events }
}

/** The summary of TEXT, at most 5 dUSD, judged by the setup's evaluator. */
const summaryJob = (s: Setup) =>
  ({ skill: 'summarize', input: TEXT, maxPrice: usd('5'), evaluator: s.evaluator.account.address }) as const

/**
 * Hires the setup's provider (no evaluator runs yet) and waits for its submission: the job as the
 * chain has it then, and the hire still going (`hired`, resolving when the job is settled).
 */
async function hireUntilSubmitted(s: Setup): Promise<{ hired: ReturnType<ClientAgent['hire']>; job: Job }> {
  const steps: HireStep[] = []
  const hired = s.hirer.hire({ ...summaryJob(s), timeoutMs: 15_000, onProgress: (p) => steps.push(p) })
  hired.catch(() => {}) // awaited by the caller
  const submitted = await until(
    () => s.events.find((e) => e.kind === 'submitted'),
    () => ({ provider: s.events, client: steps }),
  )
  return { hired, job: await getJob(s.client.escrow, submitted.jobId) }
}

/** The job's deliverable as its client fetches it from `endpoint`. */
const clientFetch = (s: Setup, job: Job, endpoint: string) =>
  fetchDeliverable({
    endpoint,
    escrow: s.client.escrow,
    jobId: job.jobId,
    expected: job.deliverable,
    account: s.client.account,
  })

/** What the promise rejects with (undefined when it resolves). */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (error: unknown) => error,
  )

/** A plain HTTP server on 127.0.0.1 that counts the requests it gets. */
async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    handle(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const close = () => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  }
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close }
}

/** Polls `read` (bounded, no fixed sleep) until it returns something; `seen` goes into the error. */
async function until<T>(read: () => T | undefined, seen: () => unknown, ms = 20_000): Promise<T> {
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

/** The evaluator's verdict event: the chain shows a rejection as soon as it is mined, the event follows its receipt. */
const evaluated = <E extends { kind: string }>(events: E[]) =>
  until(
    () => events.find((e) => e.kind === 'evaluated'),
    () => events,
    10_000,
  )

describe('agent runtime details', () => {
  it('the job scanner reads only new blocks, reports a final job once, then drops it', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1, { mint: '0' }), devnetParty(d, 2, { mint: '0' })])
    const create = async () =>
      (
        await createJob(client.escrow, {
          provider: provider.account.address,
          evaluator: d.accounts[3]!.address,
          expiredAt: (await chainTime(client.escrow)) + 3600n,
          description: encodeJobRequest({ v: 1, skill: 's', input: 'i' }),
        })
      ).jobId
    const a = await create()
    const scanner = new JobScanner(provider.escrow, provider.account.address, 'provider')
    expect((await scanner.poll()).map((j) => [j.jobId, j.status])).toEqual([[a, 'Open']])
    const head = await d.publicClient.getBlockNumber()
    const b = await create()
    await rejectJob(client.escrow, a, `0x${'0'.repeat(64)}`)
    const getLogs = vi.spyOn(provider.escrow.publicClient, 'getLogs')
    expect((await scanner.poll()).map((j) => [j.jobId, j.status])).toEqual([
      [a, 'Rejected'],
      [b, 'Open'],
    ])
    expect(getLogs).toHaveBeenCalled()
    for (const call of getLogs.mock.calls) expect((call[0] as { fromBlock: bigint }).fromBlock).toBeGreaterThan(head)
    getLogs.mockRestore()
    expect((await scanner.poll()).map((j) => j.jobId)).toEqual([b])
    // a new scanner (a restart) reads everything back from the chain: the final job once, the open one
    expect(
      (await new JobScanner(provider.escrow, provider.account.address, 'provider').poll()).map((j) => [
        j.jobId,
        j.status,
      ]),
    ).toEqual([
      [a, 'Rejected'],
      [b, 'Open'],
    ])
  }, 30_000)

  it('job requests are checked: not JSON, wrong fields, too long', () => {
    expect(parseJobRequest('hello')).toEqual({ ok: false, reason: 'the description is not JSON' })
    expect(parseJobRequest(JSON.stringify({ v: 1, skill: 'x' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/input/),
    })
    expect(parseJobRequest(JSON.stringify({ v: 1, skill: 'x', input: 'y'.repeat(20_000) }))).toMatchObject({
      ok: false,
    })
    expect(parseJobRequest(JSON.stringify({ v: 1, skill: 'x', input: 'y', extra: 1 }))).toMatchObject({ ok: false })
    expect(parseJobRequest(JSON.stringify({ v: 1, skill: 'x', input: 'y' }))).toEqual({
      ok: true,
      request: { v: 1, skill: 'x', input: 'y' },
    })
  })

  it('a provider does not take a job whose client is its own evaluator; the client withdraws it and nothing moves', async () => {
    const s = await setup()
    try {
      const c0 = await tokenBalance(s.client.escrow, s.client.account.address)
      const steps: string[] = []
      const hire = s.hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: 'self',
        check: summaryChecks,
        quoteTimeoutMs: 1_000,
        onProgress: (p) => steps.push(p.step),
      })
      await expect(hire).rejects.toBeInstanceOf(NoAgentError)
      expect(steps).toEqual(['candidates', 'created', 'withdrawn'])
      expect(s.events.find((e) => e.kind === 'declined')).toMatchObject({
        reason: expect.stringMatching(/evaluator .* not accepted/),
      })
      expect((await getJob(s.client.escrow, 1n)).status).toBe('Rejected')
      expect(await tokenBalance(s.client.escrow, s.client.account.address)).toBe(c0)
    } finally {
      await s.agent.stop()
    }
  }, 30_000)

  it('the deliverable is served only to the job’s client and evaluator, with a fresh signature for that job', async () => {
    const s = await setup()
    const evaluator = evaluatorOf(s).evaluator.start()
    try {
      const r = await s.hirer.hire(summaryJob(s))
      expect(r.status).toBe('Completed')
      const url = `${s.agent.url}/jobs/${r.jobId}/deliverable`
      const now = Math.floor(Date.now() / 1000)
      const sign = (who: typeof s.client, jobId: bigint, at: number) =>
        who.account.signMessage({ message: deliverableAuthMessage(s.d.chainId, s.client.escrow.address, jobId, at) })
      const get = async (header?: string) =>
        (await fetch(url, header ? { headers: { [DELIVERABLE_AUTH_HEADER]: header } } : {})).status
      expect(await get()).toBe(401)
      expect(await get(`${now}:${await sign(s.client, r.jobId, now)}`)).toBe(200)
      expect(await get(`${now}:${await sign(s.evaluator, r.jobId, now)}`)).toBe(200)
      expect(await get(`${now}:${await sign(s.stranger, r.jobId, now)}`)).toBe(401) // not a party to the job
      expect(await get(`${now}:${await sign(s.client, r.jobId + 1n, now)}`)).toBe(401) // signed for another job
      expect(await get(`${now - 600}:${await sign(s.client, r.jobId, now - 600)}`)).toBe(401) // stale
      expect(await get('garbage')).toBe(401)
      expect((await fetch(`${s.agent.url}/jobs/999/deliverable`)).status).toBe(404)
    } finally {
      await evaluator.stop()
      await s.agent.stop()
    }
  }, 30_000)

  it('a provider that submits and then stops serving is rejected, and its bond goes to the client', async () => {
    const s = await setup()
    const { evaluator, events } = evaluatorOf(s, { unreachableAfterMs: 300 })
    try {
      const c0 = await tokenBalance(s.client.escrow, s.client.account.address)
      const r = await s.hirer.hire({
        ...summaryJob(s),
        onProgress: (p) => {
          // the provider goes away right after submitting, before anyone fetched the work
          if (p.step === 'submitted') void s.agent.stop().then(() => evaluator.start())
        },
      })
      expect(r.status).toBe('Rejected')
      expect(events.some((e) => e.kind === 'failed' && /Could not fetch/.test(e.reason))).toBe(true)
      expect(await evaluated(events)).toMatchObject({
        evaluation: { ok: false, reason: expect.stringMatching(/does not serve/) },
      })
      expect((await tokenBalance(s.client.escrow, s.client.account.address)) - c0).toBe(usd('0.4'))
    } finally {
      await evaluator.stop()
      await s.agent.stop()
    }
  }, 30_000)

  it('a provider serving other bytes than the hash it submitted is caught: AGENTS_DELIVERABLE_MISMATCH, and the evaluator rejects the job', async () => {
    const s = await setup()
    const { evaluator, events } = evaluatorOf(s)
    try {
      const c0 = await tokenBalance(s.client.escrow, s.client.account.address)
      const { hired, job } = await hireUntilSubmitted(s)
      const store = new DeliverableStore(s.provider.dataDir)
      expect(deliverableHash(store.get(s.client.escrow.address, job.jobId)!)).toBe(job.deliverable)
      // after its hash is on-chain, the provider serves other work: a summary the checks would pass
      const swapped = new TextEncoder().encode(
        'A rejected job refunds the client and pays it the bond. Reputation is written by the hook.',
      )
      expect(
        (await summaryChecks({ job, request: { v: 1, skill: 'summarize', input: TEXT }, deliverable: swapped })).ok,
      ).toBe(true)
      expect(deliverableHash(swapped)).not.toBe(job.deliverable)
      store.put(s.client.escrow.address, job.jobId, swapped)
      const fetched = await rejection(clientFetch(s, job, s.agent.url))
      expect(fetched).toBeInstanceOf(DeliverableError)
      expect(fetched).toMatchObject({
        code: 'AGENTS_DELIVERABLE_MISMATCH',
        details: { expected: job.deliverable, got: deliverableHash(swapped) },
      })
      evaluator.start()
      const r = await hired
      expect(r.status).toBe('Rejected')
      expect(await evaluated(events)).toMatchObject({
        evaluation: { ok: false, reason: expect.stringMatching(/does not match the submitted hash/) },
      })
      expect(r.bond).toEqual({ amount: usd('0.4'), to: 'client' })
      expect((await tokenBalance(s.client.escrow, s.client.account.address)) - c0).toBe(usd('0.4'))
    } finally {
      await evaluator.stop()
      await s.agent.stop()
    }
  }, 60_000)

  it('deliverables are fetched without following redirects: a 301/302/303/307/308 is refused, and its target (the right bytes) never requested', async () => {
    let right: Uint8Array | undefined
    const target = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(Buffer.from(right ?? new Uint8Array()))
    })
    let status = 302
    const redirector = await listen((req, res) => {
      res.writeHead(status, { location: `${target.url}${req.url}` })
      res.end()
    })
    // the provider's registered endpoint is the redirecting server
    const s = await setup({ publicUrl: redirector.url })
    const { evaluator, events } = evaluatorOf(s, { unreachableAfterMs: 300 })
    try {
      const c0 = await tokenBalance(s.client.escrow, s.client.account.address)
      const { hired, job } = await hireUntilSubmitted(s)
      right = new DeliverableStore(s.provider.dataDir).get(s.client.escrow.address, job.jobId)
      expect(deliverableHash(right!)).toBe(job.deliverable)
      for (const code of [301, 302, 303, 307, 308]) {
        status = code
        const asked = redirector.requests.length
        const error = await rejection(clientFetch(s, job, redirector.url))
        expect(error, `HTTP ${code}`).toBeInstanceOf(DeliverableError)
        expect(error, `HTTP ${code}`).toMatchObject({ code: 'AGENTS_DELIVERABLE_UNAVAILABLE' })
        expect(redirector.requests.length, `HTTP ${code}`).toBe(asked + 1)
      }
      expect(target.requests).toEqual([])
      // the target does serve the right bytes: only the redirect is refused
      expect(await clientFetch(s, job, target.url)).toEqual(right)
      expect(target.requests).toHaveLength(1)
      status = 307
      const askedBefore = redirector.requests.length
      evaluator.start()
      const r = await hired
      expect(r.status).toBe('Rejected')
      expect(events.some((e) => e.kind === 'failed' && /Could not fetch/.test(e.reason))).toBe(true)
      expect(await evaluated(events)).toMatchObject({
        evaluation: { ok: false, reason: expect.stringMatching(/does not serve/) },
      })
      expect(redirector.requests.length).toBeGreaterThan(askedBefore) // the evaluator asked the listed endpoint…
      expect(target.requests).toHaveLength(1) // …and never reached the target
      expect((await tokenBalance(s.client.escrow, s.client.account.address)) - c0).toBe(usd('0.4'))
    } finally {
      await evaluator.stop()
      await s.agent.stop()
      await target.close()
      await redirector.close()
    }
  }, 60_000)
})

import { describe, expect, it, vi } from 'vitest'
import { parseUnits } from 'viem'
import { useDevnet } from '@hermit/devnet/testing'
import {
  ClientAgent,
  DELIVERABLE_AUTH_HEADER,
  chainTime,
  createJob,
  rejectJob,
  encodeJobRequest,
  EvaluatorAgent,
  NoAgentError,
  ProviderAgent,
  deliverableAuthMessage,
  getJob,
  parseJobRequest,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
  type EvaluatorEvent,
  type ProviderEvent,
} from './index.ts'
import { JobScanner } from './scan.ts'
import { devnetParty } from './testing/index.ts'

const net = useDevnet()
const usd = (v: string) => parseUnits(v, 6)
const TEXT =
  'Escrow holds the budget until the evaluator decides. The provider locks a bond. ' +
  'A rejected job refunds the client and pays it the bond. Reputation is written by the hook.'

async function setup(options: { evaluatorIndex?: number } = {}) {
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
    pollMs: 50,
    onEvent: (e) => events.push(e),
  })
  await agent.start()
  const hirer = new ClientAgent({ escrow: client.escrow, erc8004: client.erc8004, account: client.account, pollMs: 50 })
  return { d, client, provider, evaluator, stranger, agent, events, hirer }
}

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
    const evaluator = new EvaluatorAgent({
      escrow: s.evaluator.escrow,
      erc8004: s.evaluator.erc8004,
      account: s.evaluator.account,
      check: summaryChecks,
      pollMs: 50,
    }).start()
    try {
      const r = await s.hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: s.evaluator.account.address,
      })
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
    const events: EvaluatorEvent[] = []
    const evaluator = new EvaluatorAgent({
      escrow: s.evaluator.escrow,
      erc8004: s.evaluator.erc8004,
      account: s.evaluator.account,
      check: summaryChecks,
      pollMs: 50,
      unreachableAfterMs: 300,
      onEvent: (e) => events.push(e),
    })
    try {
      const c0 = await tokenBalance(s.client.escrow, s.client.account.address)
      const r = await s.hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: s.evaluator.account.address,
        onProgress: (p) => {
          // the provider goes away right after submitting, before anyone fetched the work
          if (p.step === 'submitted') void s.agent.stop().then(() => evaluator.start())
        },
      })
      expect(r.status).toBe('Rejected')
      expect(events.some((e) => e.kind === 'failed' && /Could not fetch/.test(e.reason))).toBe(true)
      expect(events.find((e) => e.kind === 'evaluated')).toMatchObject({
        evaluation: { ok: false, reason: expect.stringMatching(/does not serve/) },
      })
      expect((await tokenBalance(s.client.escrow, s.client.account.address)) - c0).toBe(usd('0.4'))
    } finally {
      await evaluator.stop()
      await s.agent.stop()
    }
  }, 30_000)
})

import { describe, expect, it } from 'vitest'
import { keccak256 } from 'viem'
import { useDevnet } from '@hermit/devnet/testing'
import { feedbackHistory, parseFeedbackFile, reputationOf, validationStatus } from '@hermit/erc8004'
import {
  ClientAgent,
  EvaluatorAgent,
  JobTimeoutError,
  ProviderAgent,
  getJob,
  jobReputation,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
  jobRequestHash,
  type SkillHandler,
  type ProviderEvent,
} from './index.ts'
import {
  advanceChainPast,
  devnetParty,
  spawnProvider,
  type DevnetParty,
  type ProviderProcess,
  usd,
} from './testing/index.ts'

const net = useDevnet()
const TEXT =
  'Hermit lets agents hire other agents on Ethereum. A client escrows the budget in an ERC-8183 job. ' +
  'The provider locks a bond, does the work and submits the hash of its deliverable. ' +
  'An evaluator checks the deliverable and completes or rejects the job. ' +
  'Completion pays the provider and returns its bond; rejection refunds the client and pays it the bond. ' +
  'Feedback is written to the ERC-8004 reputation registry by the job hook, so reputation is backed by payments.'

type World = { client: DevnetParty; evaluator: DevnetParty; providers: DevnetParty[]; stop: Array<() => Promise<void>> }

async function world(providers = 1): Promise<World> {
  const d = net()
  const parties = await Promise.all([
    devnetParty(d, 1),
    devnetParty(d, 2, { mint: '0' }),
    ...Array.from({ length: providers }, (_, k) => devnetParty(d, 3 + k)),
  ])
  return { client: parties[0]!, evaluator: parties[1]!, providers: parties.slice(2), stop: [] }
}

function provider(
  w: World,
  k: number,
  options: { handler?: SkillHandler; name?: string; price?: string; events?: ProviderEvent[]; dataDir?: string } = {},
) {
  const p = w.providers[k]!
  const skill = summarizeSkill(usd(options.price ?? '5'))
  const agent = new ProviderAgent({
    escrow: p.escrow,
    erc8004: p.erc8004,
    name: options.name ?? `Summarizer ${k}`,
    description: 'Summaries, extractive when no model is configured.',
    skills: { summarize: options.handler ? { ...skill, handler: options.handler } : skill },
    dataDir: options.dataDir ?? p.dataDir,
    pollMs: 50,
    onEvent: (e) => options.events?.push(e),
  })
  w.stop.push(() => agent.stop())
  return agent
}

function evaluator(w: World) {
  const e = new EvaluatorAgent({
    escrow: w.evaluator.escrow,
    erc8004: w.evaluator.erc8004,
    account: w.evaluator.account,
    check: summaryChecks,
    pollMs: 50,
  })
  w.stop.push(() => e.stop())
  return e.start()
}

const clientOf = (w: World) =>
  new ClientAgent({ escrow: w.client.escrow, erc8004: w.client.erc8004, account: w.client.account, pollMs: 50 })
const balance = (w: World, p: DevnetParty) => tokenBalance(w.client.escrow, p.account.address)
const finish = (w: World) => Promise.all(w.stop.map((s) => s()))

describe('agents hiring agents (ERC-8183 escrow + ERC-8004 reputation, on the devnet)', () => {
  it('happy path: discovered, quoted, funded, delivered, evaluated; paid, bond back, reputation and validation written', async () => {
    const w = await world()
    try {
      const p = await provider(w, 0).start()
      evaluator(w)
      const [c0, p0] = [await balance(w, w.client), await balance(w, w.providers[0]!)]
      const steps: string[] = []
      const r = await clientOf(w).hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('10'),
        evaluator: w.evaluator.account.address,
        onProgress: (s) => steps.push(s.step),
      })
      expect(r.status).toBe('Completed')
      expect(steps).toEqual(['candidates', 'created', 'quoted', 'funded', 'submitted', 'settled'])
      expect(r.agentId).toBe(p.agentId)
      const summary = new TextDecoder().decode(r.deliverable)
      expect(summary.length).toBeLessThan(TEXT.length)
      for (const sentence of summary.split(/(?<=\.) /)) expect(TEXT).toContain(sentence)
      expect(r.bond).toEqual({ amount: usd('1'), to: 'provider' })
      expect(c0 - (await balance(w, w.client))).toBe(usd('5'))
      expect((await balance(w, w.providers[0]!)) - p0).toBe(usd('5'))
      // reputation: written by the hook, read back through the registry and weighted by the budget
      const rep = await jobReputation(w.client.escrow, w.client.erc8004, p.agentId!)
      expect(rep).toMatchObject({ jobs: 1, completed: 1, rejected: 0, earned: usd('5') })
      expect(rep.weightedAverage).toBeGreaterThanOrEqual(60)
      const trusted = await reputationOf(w.client.erc8004, p.agentId!, { trustedClients: [w.client.escrow.hook] })
      expect(trusted.count).toBe(1n)
      const [record] = await feedbackHistory(w.client.erc8004, p.agentId!)
      const bytes = Buffer.from(record!.feedbackURI.split(',')[1]!, 'base64')
      expect(keccak256(bytes)).toBe(record!.feedbackHash)
      const file = parseFeedbackFile(JSON.parse(bytes.toString()))
      expect(file).toMatchObject({
        agentId: p.agentId,
        tag1: 'job',
        tag2: 'completed',
        job: { jobId: r.jobId.toString(), budget: usd('5').toString(), client: w.client.account.address.toLowerCase() },
      })
      // validation: the evaluator's decision, recorded by the hook as validator
      const v = await validationStatus(w.client.erc8004, await jobRequestHash(w.client.escrow, r.jobId))
      expect(v).toMatchObject({
        validator: w.client.escrow.hook,
        agentId: p.agentId,
        response: 100,
        tag: 'job',
        responded: true,
      })
    } finally {
      await finish(w)
    }
  }, 60_000)

  it('garbage is rejected: the client is refunded and gets the bond; the provider’s reputation then keeps it out', async () => {
    const w = await world()
    try {
      const sloppy = await provider(w, 0, {
        name: 'Sloppy',
        handler: async () => 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.',
      }).start()
      evaluator(w)
      const [c0, p0] = [await balance(w, w.client), await balance(w, w.providers[0]!)]
      const r = await clientOf(w).hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('10'),
        evaluator: w.evaluator.account.address,
      })
      expect(r.status).toBe('Rejected')
      expect(r.bond).toEqual({ amount: usd('1'), to: 'client' })
      expect((await balance(w, w.client)) - c0).toBe(usd('1'))
      expect(p0 - (await balance(w, w.providers[0]!))).toBe(usd('1'))
      const rep = await jobReputation(w.client.escrow, w.client.erc8004, sloppy.agentId!)
      expect(rep).toMatchObject({ jobs: 1, completed: 0, rejected: 1, earned: 0n })
      expect(rep.weightedAverage).toBeLessThan(60)
      const { candidates, skipped } = await clientOf(w).candidates('summarize', usd('10'), { average: 60 })
      expect(candidates).toHaveLength(0)
      expect(skipped.map((s) => s.agentId)).toContain(sloppy.agentId)
    } finally {
      await finish(w)
    }
  }, 60_000)

  it('a provider that vanishes after funding: the client claims the escrow back after expiry and takes the bond', async () => {
    const w = await world()
    try {
      const stuck: SkillHandler = ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))))
      const gone = await provider(w, 0, { handler: stuck }).start()
      evaluator(w)
      const c0 = await balance(w, w.client)
      let expiredAt = 0n
      const r = await clientOf(w).hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('10'),
        evaluator: w.evaluator.account.address,
        expiresIn: 600n,
        onProgress: (s) => {
          if (s.step === 'created') expiredAt = s.expiredAt
          // the provider disappears mid-job, and the chain's clock passes the expiry
          if (s.step === 'funded') void gone.stop().then(() => advanceChainPast(net(), expiredAt))
        },
      })
      expect(r.status).toBe('Expired')
      expect(r.bond).toEqual({ amount: usd('1'), to: 'client' })
      expect((await balance(w, w.client)) - c0).toBe(usd('1'))
      expect(await tokenBalance(w.client.escrow, w.client.escrow.address)).toBe(0n)
      expect(await tokenBalance(w.client.escrow, w.client.escrow.hook)).toBe(0n)
    } finally {
      await finish(w)
    }
  }, 60_000)

  it('restart in the middle of a job: provider process SIGKILLed mid-work; a new one on the same data folder finishes it from the chain', async () => {
    const w = await world()
    const d = net()
    const dataDir = w.providers[0]!.dataDir
    // the provider runs in a process of its own; its handler never returns, so it is killed in the middle of the work
    const first = await spawnProvider(d, 3, { dataDir, handler: 'hang' })
    let second: ProviderProcess | undefined
    try {
      evaluator(w)
      const p0 = await balance(w, w.providers[0]!)
      let jobId = 0n
      // the client gives up waiting (its process ends) while the provider is down
      const gaveUp = expect(
        clientOf(w).hire({
          skill: 'summarize',
          input: TEXT,
          maxPrice: usd('10'),
          evaluator: w.evaluator.account.address,
          timeoutMs: 1_500,
          onProgress: (s) => {
            if (s.step === 'funded') jobId = s.jobId
          },
        }),
      ).rejects.toBeInstanceOf(JobTimeoutError)
      const working = await first.waitFor((e) => e.kind === 'working')
      expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' })
      await gaveUp
      expect(BigInt(working.jobId!)).toBe(jobId)
      expect(first.events.some((e) => e.kind === 'submitted')).toBe(false)
      expect((await getJob(w.client.escrow, jobId)).status).toBe('Funded')
      // a new provider process on the same data folder: same agent, finds the funded job on-chain
      second = await spawnProvider(d, 3, { dataDir })
      expect(second.agentId).toBe(first.agentId)
      const r = await clientOf(w).resume(jobId, { timeoutMs: 30_000 })
      expect(r.status).toBe('Completed')
      expect(r.agentId).toBe(first.agentId)
      expect(new TextDecoder().decode(r.deliverable).length).toBeGreaterThan(20)
      expect(r.bond).toEqual({ amount: usd('1'), to: 'provider' })
      expect((await balance(w, w.providers[0]!)) - p0).toBe(usd('5'))
      expect(second.events.find((e) => e.kind === 'submitted')).toMatchObject({ jobId: jobId.toString() })
    } finally {
      await first.kill()
      await second?.kill()
      await finish(w)
    }
  }, 60_000)
})

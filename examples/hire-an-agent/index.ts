/**
 * Agents hiring agents: a client, a provider and an evaluator register on ERC-8004. The client
 * finds the provider by skill, checks its paid-job reputation, and hires it through the ERC-8183
 * escrow with Hermit's job hook (provider bond, payment-backed feedback, validation record):
 *   1. the work is good: the provider is paid and gets its bond back, reputation goes up;
 *   2. the provider delivers garbage: the evaluator rejects, the client is refunded and takes the bond;
 *   3. the provider vanishes after funding: after the expiry the client claims the escrow back, and the bond.
 * Then the same provider sells a one-shot summary anonymously over zk-rln (no escrow, no identity).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEther, parseEther, parseUnits, type Address } from 'viem'
import type { Devnet } from '@hermit/devnet'
import { terminateProver } from '@hermit/circuits'
import { REGISTRATION_TYPE, registerAgent, validationStatus, type RegistrationFileInput } from '@hermit/erc8004'
import { providerFromSpec } from '@hermit/llm'
import {
  ClientAgent,
  EvaluatorAgent,
  ProviderAgent,
  jobReputation,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
  jobRequestHash,
  withModelReview,
  type HireResult,
  type HireStep,
  type SkillHandler,
} from '@hermit/agents'
import { advanceChainPast, devnetParty, type DevnetParty } from '@hermit/agents/testing'
import { createZkPayClient } from '@hermit/zkpay'
import { devnetZkPay } from '@hermit/zkpay/testing'
import type { Flow } from '../flows.ts'
import { short, usd, type Log } from '../lib/log.ts'

const ARTICLE =
  'Hermit lets software agents hire other agents on Ethereum without a platform in the middle. ' +
  'A client escrows the budget of a job in an ERC-8183 contract, and the provider locks a security bond. ' +
  'The provider does the work and submits the hash of its deliverable on-chain. ' +
  'An evaluator fetches the deliverable, checks it against that hash and completes or rejects the job. ' +
  'Completion pays the provider and returns its bond; rejection refunds the client and hands it the bond. ' +
  'After the expiry anyone can refund a job that was never finished, so no money can get stuck. ' +
  'Every outcome is written to the ERC-8004 reputation registry by the job hook, so reputation is backed by real payments.'

/** Registers a party as an active ERC-8004 agent; returns its agent id. */
async function register(
  party: DevnetParty,
  about: Pick<RegistrationFileInput, 'name' | 'description' | 'services'>,
): Promise<bigint> {
  const registration: RegistrationFileInput = { type: REGISTRATION_TYPE, ...about, active: true }
  return (await registerAgent(party.erc8004, { registration })).agentId
}

export type HireStory = { result: HireResult; before: Record<string, bigint>; after: Record<string, bigint> }

export async function hireAnAgent(
  devnet: Devnet,
  log: Log,
): Promise<{ stories: HireStory[]; oneShot: { status: number; text: string } }> {
  const model = providerFromSpec(
    process.env.HERMIT_MODEL ?? 'none',
    process.env.OLLAMA_HOST ? { ollamaHost: process.env.OLLAMA_HOST } : {},
  )
  const [client, provider, evaluator] = await Promise.all([
    devnetParty(devnet, 1, { mint: '100' }),
    devnetParty(devnet, 2, { mint: '100' }),
    devnetParty(devnet, 3, { mint: '0' }),
  ])
  const parties: Record<string, Address> = {
    client: client.account.address,
    provider: provider.account.address,
    escrow: client.escrow.address,
    hook: client.escrow.hook,
  }
  const balances = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(parties).map(async ([k, a]) => [k, await tokenBalance(client.escrow, a)] as const),
      ),
    )
  const show = (b: Record<string, bigint>, a: Record<string, bigint>) =>
    `balances: ${Object.keys(b)
      .map((k) => `${k} ${usd(b[k]!)} → ${usd(a[k]!)}`)
      .join(', ')}`

  // ---- the three agents
  log.step('Three agents register on the ERC-8004 identity registry')
  let mode: 'good' | 'garbage' | 'vanish' = 'good'
  const skill = summarizeSkill(parseUnits('5', 6), model)
  const handler: SkillHandler = async (ctx) => {
    if (mode === 'garbage') return 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.'
    if (mode === 'vanish')
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('offline'))))
    return skill.handler(ctx)
  }
  // the provider (dev account 2) also sells one-shot calls over zk-rln: its pool and gate
  const zk = await devnetZkPay(devnet, {
    dir: mkdtempSync(join(tmpdir(), 'hermit-hire-')),
    providerIndex: 2,
    price: parseEther('0.001'),
    stake: parseEther('0.01'),
    slash: false,
    workers: 1,
  })
  const { gate, pool } = zk
  const poolAddress = pool.address
  const summarizer = new ProviderAgent({
    escrow: provider.escrow,
    erc8004: provider.erc8004,
    name: 'Summarizer',
    description: `Summaries of English text (${model.kind === 'none' ? 'extractive: no model configured' : model.label}).`,
    skills: { summarize: { ...skill, handler } },
    dataDir: provider.dataDir,
    pollMs: 100,
    oneShot: { gate, pool: poolAddress },
  })
  const checker = new EvaluatorAgent({
    escrow: evaluator.escrow,
    erc8004: evaluator.erc8004,
    account: evaluator.account,
    check: withModelReview(summaryChecks, model),
    pollMs: 100,
  })
  try {
    await summarizer.start()
    const evaluatorId = await register(evaluator, {
      name: 'Checker',
      description: 'Checks summaries: grounded in the text, shorter, keeps its key words.',
      services: [{ name: 'hermit-evaluator', endpoint: 'https://checker.invalid', skills: ['summarize'] }],
    })
    const clientId = await register(client, { name: 'Researcher', description: 'Hires other agents.', services: [] })
    checker.start()
    log.line(
      `#${summarizer.agentId} Summarizer (provider ${short(provider.account.address)}): ` +
        `skill "summarize" at 5 dUSD a job, serves deliverables at ${summarizer.url}`,
    )
    log.line(
      `#${evaluatorId} Checker (evaluator ${short(evaluator.account.address)}): deterministic checks` +
        (model.kind === 'none'
          ? '; no model consulted (HERMIT_MODEL unset: deterministic mode)'
          : ` + ${model.label} review (may only lower a verdict)`),
    )
    log.line(
      `#${clientId} Researcher (client ${short(client.account.address)}), 100 dUSD; ` +
        `escrow ${short(client.escrow.address)}, job hook ${short(client.escrow.hook)} (provider bond 20%)`,
    )

    const hirer = new ClientAgent({
      escrow: client.escrow,
      erc8004: client.erc8004,
      account: client.account,
      pollMs: 100,
    })
    const stories: HireStory[] = []
    const hire = async (title: string, extra: { onProgress?: (s: HireStep) => void; expiresIn?: bigint } = {}) => {
      log.step(title)
      const before = await balances()
      const result = await hirer.hire({
        skill: 'summarize',
        input: ARTICLE,
        maxPrice: parseUnits('10', 6),
        evaluator: evaluator.account.address,
        ...(extra.expiresIn ? { expiresIn: extra.expiresIn } : {}),
        onProgress: (s) => {
          narrate(log, s)
          extra.onProgress?.(s)
        },
      })
      const after = await balances()
      log.line(
        `outcome: job #${result.jobId} ${result.status}; provider bond ${usd(result.bond.amount)} → ${result.bond.to}`,
      )
      log.line(show(before, after))
      const rep = await jobReputation(client.escrow, client.erc8004, summarizer.agentId!)
      log.line(
        `reputation of #${summarizer.agentId} (paid jobs only, by the hook): ${rep.jobs} job(s), ` +
          `${rep.completed} completed, ${rep.rejected} rejected, ` +
          `weighted average ${rep.weightedAverage ?? 'n/a'}, earned ${usd(rep.earned)}`,
      )
      stories.push({ result, before, after })
      return result
    }

    // ---- 1. good work
    const good = await hire('Job 1: the client hires a summarizer; the work is good')
    log.line(`deliverable (hash-checked): "${new TextDecoder().decode(good.deliverable).slice(0, 160)}…"`)
    const v = await validationStatus(client.erc8004, await jobRequestHash(client.escrow, good.jobId))
    log.line(
      `validation registry: the hook recorded the evaluator's decision as response ${v.response}/100 (tag "${v.tag}")`,
    )

    // ---- 2. garbage
    mode = 'garbage'
    await hire("Job 2: the provider's model breaks and it delivers lorem ipsum")

    // ---- 3. vanished provider
    mode = 'vanish'
    let expiredAt = 0n
    await hire('Job 3: the provider takes the job, then goes offline', {
      expiresIn: 3_600n,
      onProgress: (s) => {
        if (s.step === 'created') expiredAt = s.expiredAt
        if (s.step === 'funded') {
          void summarizer.stop().then(async () => {
            log.line(
              `the provider went offline; an hour passes on the chain (devnet clock moved past ${new Date(Number(expiredAt) * 1000).toISOString()})`,
            )
            await advanceChainPast(devnet, expiredAt)
          })
        }
      },
    })
    const leftover =
      (await tokenBalance(client.escrow, client.escrow.address)) +
      (await tokenBalance(client.escrow, client.escrow.hook))
    log.line(`left in escrow and hook: ${usd(leftover)} — nothing is stuck`)

    // ---- 4. one-shot, anonymous
    log.step('The other way to hire: a one-shot summary paid with a zk-rln ticket (no escrow, no identity)')
    mode = 'good'
    const again = new ProviderAgent({
      escrow: provider.escrow,
      erc8004: provider.erc8004,
      name: 'Summarizer',
      description: 'Summaries of English text.',
      skills: { summarize: { ...skill, handler } },
      dataDir: provider.dataDir,
      pollMs: 100,
      oneShot: { gate, pool: poolAddress },
    })
    await again.start()
    log.line(
      `the provider is back (same agent #${again.agentId}, read from its data folder); ` +
        `its pool ${short(poolAddress)} sells calls at ${formatEther(pool.price)} ETH`,
    )
    const { identity, tickets } = await zk.deposit(4, 3n)
    const anon = createZkPayClient({ identity, tickets, publicClient: devnet.publicClient, fromBlock: zk.fromBlock })
    const res = await anon.fetch(`${again.url}/call/summarize`, { method: 'POST', body: ARTICLE })
    const text = await res.text()
    log.line(
      `an anonymous caller deposited once (3 calls) and paid one: HTTP ${res.status}, ` +
        `nullifier ${res.payment?.nullifier.slice(0, 10)}…; the provider never learns who asked`,
    )
    log.line(`answer: "${text.slice(0, 120)}…"`)
    await again.stop()
    return { stories, oneShot: { status: res.status, text } }
  } finally {
    await summarizer.stop()
    await checker.stop()
    await zk.close()
    await terminateProver()
  }
}

function narrate(log: Log, s: HireStep): void {
  if (s.step === 'candidates') {
    const list = s.candidates.map(
      (c) =>
        `#${c.agentId} at ${usd(c.price)} (${c.reputation.jobs} paid job(s), weighted average ${c.reputation.weightedAverage ?? 'n/a'})`,
    )
    log.line(`discovery: ${list.join('; ') || 'nobody'}${s.skipped.length ? `; skipped ${s.skipped.length}` : ''}`)
  } else if (s.step === 'created')
    log.line(
      `job #${s.jobId} created for agent #${s.agentId} (expires ${new Date(Number(s.expiredAt) * 1000).toISOString()})`,
    )
  else if (s.step === 'quoted')
    log.line(`the provider accepted the job at ${usd(s.budget)} (acceptJob in the hook) and approved its bond`)
  else if (s.step === 'funded')
    log.line(`funded: ${usd(s.budget)} in escrow, provider bond ${usd(s.bond)} locked by the hook`)
  else if (s.step === 'submitted') log.line('the provider submitted its deliverable hash; the evaluator is checking')
  else if (s.step === 'withdrawn') log.line(`withdrawn: ${s.reason}`)
}

export const flow: Flow = {
  name: 'hire-an-agent',
  title: 'Agents hiring agents: escrow, bond, evaluation and payment-backed reputation (ERC-8183 + ERC-8004)',
  run: async (devnet, log) => {
    await hireAnAgent(devnet, log)
  },
}

import { parseUnits } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  EvaluatorAgent,
  ProviderAgent,
  acceptJob,
  approvePaymentToken,
  chainTime,
  createJob,
  encodeJobRequest,
  escrowId,
  fundJob,
  setBudget,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
} from '@hermit/agents'
import { advanceChainPast, devnetParty } from '@hermit/agents/testing'
import { useDevnet } from '@hermit/devnet/testing'
import { REGISTRATION_TYPE, registerAgent } from '@hermit/erc8004'
import { callTool, connectInMemory, devnetMcpOptions } from '../testing/index.ts'

const net = useDevnet()

const ARTICLE =
  'Hermit lets software agents hire other agents on Ethereum without a platform in the middle. ' +
  'A client escrows the budget of a job, and the provider locks a security bond. ' +
  'The provider does the work and submits the hash of its deliverable on-chain. ' +
  'An evaluator fetches the deliverable, checks it against that hash and completes or rejects the job.'

describe('the agents tools against the devnet', () => {
  it('hire_agent: a hire ends in a completed job; find_agents, job_status and agent_reputation then show it', async () => {
    const d = net()
    const [client, provider, evaluator] = await Promise.all([
      devnetParty(d, 1, { mint: '100' }),
      devnetParty(d, 2, { mint: '100' }),
      devnetParty(d, 3, { mint: '0' }),
    ])
    const summarizer = new ProviderAgent({
      escrow: provider.escrow,
      erc8004: provider.erc8004,
      name: 'Summarizer',
      description: 'Extractive summaries.',
      skills: { summarize: summarizeSkill(parseUnits('5', 6)) },
      dataDir: provider.dataDir,
      pollMs: 100,
    })
    const checker = new EvaluatorAgent({
      escrow: evaluator.escrow,
      erc8004: evaluator.erc8004,
      account: evaluator.account,
      check: summaryChecks,
      pollMs: 100,
    })
    await summarizer.start()
    checker.start()
    try {
      const mcp = await connectInMemory(devnetMcpOptions(d, 1))
      const found = await callTool(mcp, 'find_agents', { skill: 'summarize', maxPrice: parseUnits('10', 6).toString() })
      expect(found.structured.candidates).toMatchObject([{ agentId: summarizer.agentId!.toString(), price: '5000000' }])
      const before = await tokenBalance(client.escrow, client.account.address)
      const hired = await callTool(mcp, 'hire_agent', {
        skill: 'summarize',
        input: ARTICLE,
        maxPrice: parseUnits('10', 6).toString(),
        evaluator: evaluator.account.address,
        timeoutSeconds: 60,
      })
      expect(hired.isError, hired.text).toBe(false)
      expect(hired.structured).toMatchObject({ status: 'Completed', budget: '5000000', bond: { to: 'provider' } })
      expect(ARTICLE).toContain((hired.structured.deliverable as string).split('.')[0])
      expect(before - (await tokenBalance(client.escrow, client.account.address))).toBe(parseUnits('5', 6))
      const status = await callTool(mcp, 'job_status', { jobId: hired.structured.jobId })
      expect(status.structured).toMatchObject({
        status: 'Completed',
        client: client.account.address,
        refundable: false,
      })
      const rep = await callTool(mcp, 'agent_reputation', { agentId: summarizer.agentId!.toString() })
      expect(rep.structured).toMatchObject({ jobs: 1, completed: 1, rejected: 0, clients: 1 })
      const nothing = await callTool(mcp, 'reclaim_expired_job', { jobId: hired.structured.jobId })
      expect(nothing.structured.code).toBe('AGENTS_JOB_NOTHING_TO_REFUND')
    } finally {
      await summarizer.stop()
      await checker.stop()
    }
  }, 60_000)

  it('reclaim_expired_job: refused before the expiry; after it, the escrow goes back to the client', async () => {
    const d = net()
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 4)])
    const { agentId } = await registerAgent(provider.erc8004, {
      registration: {
        type: REGISTRATION_TYPE,
        name: 'Vanisher',
        description: 'takes jobs, then goes away',
        active: true,
        services: [
          {
            name: 'hermit-job',
            endpoint: 'http://127.0.0.1:9',
            skills: ['summarize'],
            escrow: escrowId(d.chainId, client.escrow.address),
            prices: { summarize: '3000000' },
          },
        ],
      },
    })
    const budget = parseUnits('3', 6)
    const expiredAt = (await chainTime(client.escrow)) + 3600n
    const { jobId } = await createJob(client.escrow, {
      provider: provider.account.address,
      evaluator: d.accounts[3]!.address,
      expiredAt,
      description: encodeJobRequest({ v: 1, skill: 'summarize', input: 'text' }),
    })
    await approvePaymentToken(provider.escrow, provider.escrow.hook, budget)
    await setBudget(provider.escrow, jobId, budget)
    await acceptJob(provider.escrow, jobId, budget, 0n, agentId)
    await fundJob(client.escrow, jobId, budget)
    const mcp = await connectInMemory(devnetMcpOptions(d, 1))
    const early = await callTool(mcp, 'reclaim_expired_job', { jobId: jobId.toString() })
    expect(early.structured.code).toBe('AGENTS_JOB_NOT_EXPIRED')
    await advanceChainPast(d, expiredAt)
    expect((await callTool(mcp, 'job_status', { jobId: jobId.toString() })).structured.refundable).toBe(true)
    const before = await tokenBalance(client.escrow, client.account.address)
    const r = await callTool(mcp, 'reclaim_expired_job', { jobId: jobId.toString() })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured.status).toBe('Expired')
    expect((await tokenBalance(client.escrow, client.account.address)) - before).toBeGreaterThanOrEqual(budget)
  })

  it('without an escrow, a wallet or a ZK deposit configured, the tools answer isError with the code and a hint', async () => {
    const mcp = await connectInMemory({ client: net().publicClient, rpcUrl: net().rpcUrl })
    const agents = await callTool(mcp, 'find_agents', { skill: 'summarize' })
    expect(agents.structured).toMatchObject({
      code: 'MCP_NOT_CONFIGURED',
      hint: expect.stringMatching(/--deployments/),
    })
    const pay = await callTool(mcp, 'paid_fetch', { url: 'http://127.0.0.1:9/x' })
    expect(pay.structured).toMatchObject({ code: 'MCP_NOT_CONFIGURED', hint: expect.stringMatching(/--keystore/) })
    const propose = await callTool(mcp, 'propose_transaction', { words: 'send 1 ETH to bob' })
    expect(propose.structured.code).toBe('MCP_NOT_CONFIGURED')
  })
})

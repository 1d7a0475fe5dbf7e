import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import {
  AgentError,
  chainTime,
  claimRefund,
  ClientAgent,
  expiredBondToProvider,
  findProviders,
  getJob,
  jobReputation,
  lockedBond,
  settleExpiredBond,
  withWallet,
} from '@hermit/agents'
import type { Erc8004Client } from '@hermit/erc8004'
import type { HermitMcpOptions } from '../context.ts'
import { McpToolError } from '../errors.ts'
import { errorResult, ok } from '../result.ts'
import { addressArg, idArg, unitsArg } from '../schemas.ts'

const READ = { readOnlyHint: true, destructiveHint: false, openWorldHint: true } as const
const SIGNS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const

function agentsOf(options: HermitMcpOptions) {
  if (!options.agents)
    throw new McpToolError('MCP_NOT_CONFIGURED', 'The server has no escrow or ERC-8004 registries.', {
      hint: 'Start `hermit mcp` with --deployments pointing at a file with the Hermit escrow and registries.',
    })
  return options.agents
}

function signer(options: HermitMcpOptions) {
  if (!options.wallet)
    throw new McpToolError('MCP_NO_WALLET', 'This tool signs, and the server has no wallet.', {
      hint: 'Set HERMIT_PRIVATE_KEY in the environment of `hermit mcp`.',
    })
  return options.wallet
}

const jobShape = {
  jobId: z.string(),
  status: z.string(),
  client: z.string(),
  provider: z.string(),
  evaluator: z.string(),
  budget: z.string(),
  expiredAt: z.string(),
}

export function registerAgentTools(server: McpServer, options: HermitMcpOptions): void {
  server.registerTool(
    'find_agents',
    {
      title: 'Find agents to hire',
      description:
        'Providers of a skill on the Hermit ERC-8183 escrow (ERC-8004 registrations), within a price, with their ' +
        'reputation from paid jobs only, best first. Read-only.',
      inputSchema: {
        skill: z.string().min(1).max(100),
        maxPrice: unitsArg.optional().describe("most you would pay, base units of the escrow's token"),
        minJobs: z.number().int().min(0).optional(),
      },
      outputSchema: z.looseObject({
        candidates: z.array(
          z.looseObject({
            agentId: z.string(),
            price: z.string(),
            endpoint: z.string(),
            reputation: z.looseObject({}),
          }),
        ),
        skipped: z.array(z.object({ agentId: z.string(), reason: z.string() })),
      }),
      annotations: READ,
    },
    async ({ skill, maxPrice, minJobs }) => {
      try {
        const { escrow, erc8004 } = agentsOf(options)
        const { candidates, skipped } = await findProviders(escrow, erc8004, {
          skill,
          maxPrice: BigInt(maxPrice ?? 2n ** 255n),
          minReputation: { jobs: minJobs ?? 0 },
        })
        return ok({
          candidates: candidates.map((c) => ({
            agentId: c.agentId,
            wallet: c.wallet,
            price: c.price,
            endpoint: c.service.endpoint,
            reputation: c.reputation,
          })),
          skipped,
        })
      } catch (error) {
        return errorResult(error)
      }
    },
  )

  server.registerTool(
    'agent_reputation',
    {
      title: "An agent's reputation",
      description:
        "An agent's job reputation from the job hook's on-chain outcomes (paid jobs only): jobs, completed, rejected, " +
        'budget-weighted average, earned, distinct clients. Read-only.',
      inputSchema: { agentId: idArg },
      outputSchema: z.looseObject({
        agentId: z.string(),
        jobs: z.number(),
        completed: z.number(),
        rejected: z.number(),
        weightedAverage: z.number().nullable(),
        earned: z.string(),
        clients: z.number(),
      }),
      annotations: READ,
    },
    async ({ agentId }) => {
      try {
        const { escrow, erc8004 } = agentsOf(options)
        return ok({ ...(await jobReputation(escrow, erc8004, BigInt(agentId))) })
      } catch (error) {
        return errorResult(error)
      }
    },
  )

  server.registerTool(
    'hire_agent',
    {
      title: 'Hire an agent',
      description:
        "SIGNS AND SENDS with the server's wallet: picks the best provider of the skill within maxPrice, creates an " +
        'ERC-8183 job, escrows the budget in the escrow token (approving it), and follows the job until the ' +
        'evaluator settles it; returns the hash-checked deliverable of a completed job.',
      inputSchema: {
        skill: z.string().min(1).max(100),
        input: z.string().min(1).max(20_000).describe("the work's input (public: it goes on-chain)"),
        maxPrice: unitsArg.describe("most you pay, base units of the escrow's token"),
        evaluator: z.string().describe("the evaluator's address"),
        agentId: idArg.optional().describe('only this agent'),
        expiresInSeconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400)
          .optional(),
        timeoutSeconds: z.number().int().min(1).max(3_600).optional().describe('how long to follow (default 120)'),
      },
      outputSchema: z.looseObject({
        jobId: z.string(),
        agentId: z.string(),
        provider: z.string(),
        status: z.string(),
        budget: z.string(),
        deliverable: z.string().nullable(),
        bond: z.object({ amount: z.string(), to: z.string() }),
      }),
      annotations: SIGNS,
    },
    async (args) => {
      try {
        const { escrow, erc8004 } = agentsOf(options)
        const wallet = signer(options)
        const evaluator = addressArg.safeParse(args.evaluator)
        if (!evaluator.success) throw new McpToolError('MCP_BAD_ARGUMENTS', 'evaluator: not an address')
        const signed: Erc8004Client = { ...erc8004, walletClient: wallet }
        const client = new ClientAgent({
          escrow: withWallet(escrow, wallet),
          erc8004: signed,
          account: wallet.account,
          pollMs: 100,
        })
        const r = await client.hire({
          skill: args.skill,
          input: args.input,
          maxPrice: BigInt(args.maxPrice),
          evaluator: evaluator.data,
          ...(args.agentId ? { agentId: BigInt(args.agentId) } : {}),
          ...(args.expiresInSeconds ? { expiresIn: BigInt(args.expiresInSeconds) } : {}),
          timeoutMs: (args.timeoutSeconds ?? 120) * 1000,
        })
        return ok({
          jobId: r.jobId,
          agentId: r.agentId,
          provider: r.provider,
          status: r.status,
          budget: r.budget,
          deliverable: r.deliverable ? new TextDecoder().decode(r.deliverable) : null,
          ...(r.deliverableError ? { deliverableError: r.deliverableError } : {}),
          bond: r.bond,
        })
      } catch (error) {
        return errorResult(error)
      }
    },
  )

  server.registerTool(
    'job_status',
    {
      title: 'Job status',
      description:
        'One ERC-8183 job: parties, budget, status, expiry, bond, and whether it can be reclaimed. Read-only.',
      inputSchema: { jobId: idArg },
      outputSchema: z.looseObject({
        ...jobShape,
        refundable: z.boolean(),
        bond: z.looseObject({ amount: z.string() }),
      }),
      annotations: READ,
    },
    async ({ jobId }) => {
      try {
        const { escrow } = agentsOf(options)
        const job = await getJob(escrow, BigInt(jobId)).catch((cause: unknown) => {
          throw new AgentError('AGENTS_JOB_UNKNOWN', `There is no job ${jobId} on this escrow.`, { cause })
        })
        const [bond, now] = await Promise.all([lockedBond(escrow, job.jobId), chainTime(escrow)])
        const refundable = (job.status === 'Funded' || job.status === 'Submitted') && now >= job.expiredAt
        const { description: _d, deliverable: _h, hook: _k, ...rest } = job
        return ok({ ...rest, refundable, bond })
      } catch (error) {
        return errorResult(error)
      }
    },
  )

  server.registerTool(
    'reclaim_expired_job',
    {
      title: 'Reclaim an expired job',
      description:
        "SIGNS AND SENDS with the server's wallet: after a job's expiry, refunds its escrow to the client and settles " +
        "the provider's bond (anyone may). Refused before the expiry.",
      inputSchema: { jobId: idArg },
      outputSchema: z.looseObject({ jobId: z.string(), status: z.string(), done: z.array(z.string()) }),
      annotations: SIGNS,
    },
    async ({ jobId: raw }) => {
      try {
        const escrow = withWallet(agentsOf(options).escrow, signer(options))
        const jobId = BigInt(raw)
        let job = await getJob(escrow, jobId)
        const done: string[] = []
        if (job.status === 'Funded' || job.status === 'Submitted') {
          if ((await chainTime(escrow)) < job.expiredAt)
            throw new AgentError(
              'AGENTS_JOB_NOT_EXPIRED',
              `Job ${jobId} expires at ${new Date(Number(job.expiredAt) * 1000).toISOString()} (chain time).`,
              { hint: 'It cannot be reclaimed before; follow it with job_status.' },
            )
          await claimRefund(escrow, jobId)
          done.push(`refunded ${job.budget} to ${job.client}`)
          job = await getJob(escrow, jobId)
        }
        const bond = await lockedBond(escrow, jobId)
        if (job.status === 'Expired' && bond.amount > 0n && !bond.settled) {
          const toProvider = await expiredBondToProvider(escrow, bond, job.expiredAt)
          await settleExpiredBond(escrow, jobId)
          done.push(`bond ${bond.amount} to the ${toProvider ? 'provider' : 'client'}`)
        }
        if (done.length === 0)
          throw new AgentError(
            'AGENTS_JOB_NOTHING_TO_REFUND',
            `Job ${jobId} is ${job.status}: nothing is left to refund or settle.`,
          )
        return ok({ jobId, status: job.status, done })
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

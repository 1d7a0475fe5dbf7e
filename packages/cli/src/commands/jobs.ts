import { resolve } from 'node:path'
import type { Command } from 'commander'
import { formatUnits } from 'viem'
import { z } from 'zod'
import { HermitError } from '@hermit/errors'
import { readDeployments } from '@hermit/devnet'
import { registriesFromDeployments, type Erc8004Client } from '@hermit/erc8004'
import {
  acceptanceOf,
  bondOf,
  chainTime,
  claimRefund,
  escrowFromDeployments,
  expiredBondToProvider,
  findProviders,
  getJob,
  jobsOf,
  parseJobRequest,
  settleExpiredBond,
  withWallet,
  type Escrow,
  type Job,
} from '@hermit/agents'
import { parseArgs } from '../args.ts'
import { table, type Output } from '../output.ts'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'
import { address, chainClient, rpc, units, wallet } from './chain.ts'

const jobId = z
  .string()
  .regex(/^\d{1,20}$/, 'expected a job id')
  .transform((v) => BigInt(v))

async function open(o: { rpc: string; deployments: string }): Promise<{ escrow: Escrow; erc8004: Erc8004Client }> {
  const publicClient = await chainClient(o.rpc)
  const d = readDeployments(resolve(o.deployments))
  if (d.chainId !== publicClient.chain.id)
    throw new HermitError(
      'CLI_WRONG_CHAIN',
      `The deployments file is for chain ${d.chainId}, the RPC serves chain ${publicClient.chain.id}.`,
      { hint: 'Pass the deployments of this chain with -f.' },
    )
  return {
    escrow: escrowFromDeployments(d, { publicClient }),
    erc8004: { publicClient, registries: registriesFromDeployments(d) },
  }
}

const amount = (v: bigint) => `${formatUnits(v, 6)}`
const describe = (j: Job) => {
  const r = parseJobRequest(j.description)
  return r.ok
    ? `${r.request.skill}: ${r.request.input.slice(0, 40)}${r.request.input.length > 40 ? '…' : ''}`
    : '(not a Hermit job request)'
}

export function registerJobs(program: Command, output: () => Output): void {
  const jobs = program
    .command('jobs')
    .description(
      'ERC-8183 jobs on the Hermit escrow: list, show, and reclaim an expired escrow (wallet key: $HERMIT_PRIVATE_KEY)',
    )
  const common = (c: Command) =>
    c
      .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
      .option('-f, --deployments <file>', 'where the escrow and registries are deployed', DEFAULT_DEPLOYMENTS_PATH)
      .option('--json', 'machine-readable JSON')

  common(
    jobs
      .command('list')
      .description('the jobs of an address, as client, provider or evaluator (read from the chain)')
      .requiredOption('--address <address>', 'whose jobs')
      .option('--role <role>', 'client, provider or evaluator', 'client'),
  ).action(async (raw: Record<string, unknown>) => {
    const out = output()
    const o = parseArgs(
      z.strictObject({
        rpc,
        deployments: z.string(),
        address,
        role: z.enum(['client', 'provider', 'evaluator']),
        json: z.boolean().optional(),
      }),
      raw,
      'jobs list',
    )
    const { escrow } = await open(o)
    const list = await jobsOf(escrow, o.address, o.role)
    out.result({ address: o.address, role: o.role, jobs: list }, () =>
      list.length === 0
        ? `no jobs for ${o.address} as ${o.role}`
        : table(
            ['job', 'status', 'budget', 'expires', 'request'],
            list.map((j) => [
              `#${j.jobId}`,
              j.status,
              amount(j.budget),
              new Date(Number(j.expiredAt) * 1000).toISOString(),
              describe(j),
            ]),
          ),
    )
  })

  common(
    jobs
      .command('show')
      .description('one job: parties, budget, status, bond, acceptance')
      .argument('<jobId>', 'the job'),
  ).action(async (id: string, raw: Record<string, unknown>) => {
    const out = output()
    const o = parseArgs(
      z.strictObject({ rpc, deployments: z.string(), json: z.boolean().optional() }),
      raw,
      'jobs show',
    )
    const n = parseArgs(z.strictObject({ jobId }), { jobId: id }, 'jobs show')
    const { escrow } = await open(o)
    const job = await getJob(escrow, n.jobId).catch((cause: unknown) => {
      throw new HermitError('JOB_UNKNOWN', `There is no job ${n.jobId} on this escrow.`, { cause })
    })
    const [bond, acceptance, now] = await Promise.all([
      bondOf(escrow, n.jobId),
      acceptanceOf(escrow, n.jobId),
      chainTime(escrow),
    ])
    const refundable = (job.status === 'Funded' || job.status === 'Submitted') && now >= job.expiredAt
    out.result({ job, bond, acceptance, refundable }, () =>
      [
        `job #${job.jobId}: ${job.status}${refundable ? ' (expired: refundable, run `hermit jobs refund`)' : ''}`,
        `client ${job.client}, provider ${job.provider}, evaluator ${job.evaluator}`,
        `budget ${amount(job.budget)}, expires ${new Date(Number(job.expiredAt) * 1000).toISOString()}, hook ${job.hook}`,
        `request: ${describe(job)}`,
        `accepted by the provider: ${acceptance.accepted ? `yes (needs ${acceptance.minWorkSeconds} s of work)` : 'no'}; bond ${amount(bond.amount)}${bond.amount > 0n ? (bond.settled ? ' (settled)' : ' (locked)') : ''}`,
        job.status === 'Submitted' || job.status === 'Completed' ? `deliverable ${job.deliverable}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
  })

  common(
    jobs
      .command('refund')
      .description('after the expiry: refund the escrow to its client and settle the bond (anyone may)')
      .argument('<jobId>', 'the job'),
  ).action(async (id: string, raw: Record<string, unknown>) => {
    const out = output()
    const o = parseArgs(
      z.strictObject({ rpc, deployments: z.string(), json: z.boolean().optional() }),
      raw,
      'jobs refund',
    )
    const n = parseArgs(z.strictObject({ jobId }), { jobId: id }, 'jobs refund')
    const opened = await open(o)
    const escrow = withWallet(opened.escrow, wallet(o.rpc, opened.escrow.publicClient.chain.id))
    let job = await getJob(escrow, n.jobId)
    const done: string[] = []
    if (job.status === 'Funded' || job.status === 'Submitted') {
      const now = await chainTime(escrow)
      if (now < job.expiredAt)
        throw new HermitError(
          'JOB_NOT_EXPIRED',
          `Job ${n.jobId} expires at ${new Date(Number(job.expiredAt) * 1000).toISOString()} (chain time); it cannot be refunded before.`,
        )
      await claimRefund(escrow, n.jobId)
      done.push(`refunded ${amount(job.budget)} to ${job.client}`)
      job = await getJob(escrow, n.jobId)
    }
    const bond = await bondOf(escrow, n.jobId)
    if (job.status === 'Expired' && bond.amount > 0n && !bond.settled) {
      const toProvider = await expiredBondToProvider(escrow, bond, job.expiredAt)
      await settleExpiredBond(escrow, n.jobId)
      done.push(
        `bond ${amount(bond.amount)} to the ${toProvider ? 'provider (it delivered in time for review)' : bond.submitted ? 'client (delivered too late to be reviewed)' : 'client (nothing was delivered)'}`,
      )
    }
    if (done.length === 0)
      throw new HermitError(
        'JOB_NOTHING_TO_REFUND',
        `Job ${n.jobId} is ${job.status}: nothing is left to refund or settle.`,
      )
    out.result({ jobId: n.jobId, status: job.status, done }, () => `job #${n.jobId}: ${done.join('; ')}`)
  })

  const agents = program.command('agents').description('find agents to hire on the ERC-8004 identity registry')
  common(
    agents
      .command('find')
      .description('providers of a skill on the Hermit escrow, with their price and paid-job reputation, best first')
      .requiredOption('--skill <skill>', 'e.g. summarize')
      .option('--max-price <units>', 'most you would pay, base units of the escrow token', String(2n ** 255n))
      .option('--min-jobs <n>', 'at least this many paid jobs', '0'),
  ).action(async (raw: Record<string, unknown>) => {
    const out = output()
    const o = parseArgs(
      z.strictObject({
        rpc,
        deployments: z.string(),
        skill: z.string().min(1).max(100),
        maxPrice: units,
        minJobs: z.coerce.number().int().min(0),
        json: z.boolean().optional(),
      }),
      raw,
      'agents find',
    )
    const { escrow, erc8004 } = await open(o)
    const { candidates, skipped } = await findProviders(escrow, erc8004, {
      skill: o.skill,
      maxPrice: o.maxPrice,
      minReputation: { jobs: o.minJobs },
    })
    out.result({ candidates, skipped }, () =>
      candidates.length === 0
        ? `no provider of "${o.skill}"${skipped.length ? ` (${skipped.length} skipped: ${skipped.map((s) => `#${s.agentId} ${s.reason}`).join('; ')})` : ''}`
        : table(
            ['agent', 'price', 'paid jobs', 'completed', 'weighted avg', 'clients', 'endpoint'],
            candidates.map((c) => [
              `#${c.agentId}`,
              amount(c.price),
              String(c.reputation.jobs),
              String(c.reputation.completed),
              c.reputation.weightedAverage === null ? '-' : String(c.reputation.weightedAverage),
              String(c.reputation.clients),
              c.service.endpoint,
            ]),
          ),
    )
  })
}

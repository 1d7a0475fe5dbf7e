import type { Command } from 'commander'
import { z } from 'zod'
import {
  AgentError,
  chainTime,
  claimRefund,
  expiredBondToProvider,
  getJob,
  jobsOf,
  lockedBond,
  parseJobRequest,
  recordedAcceptance,
  settleExpiredBond,
  withWallet,
  type Job,
} from '@hermit/agents'
import { parseArgs } from '../args.ts'
import { table, type Output } from '../output.ts'
import { address, wallet } from './chain.ts'
import { escrowArgs, escrowOptions, openEscrow, parseJobCommand, tokenAmount } from './escrow.ts'

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

  escrowOptions(
    jobs
      .command('list')
      .description('the jobs of an address, as client, provider or evaluator (read from the chain)')
      .requiredOption('--address <address>', 'whose jobs')
      .option('--role <role>', 'client, provider or evaluator', 'client'),
  ).action(async (raw: Record<string, unknown>) => {
    const out = output()
    const options = parseArgs(
      z.strictObject({
        ...escrowArgs,
        address,
        role: z.enum(['client', 'provider', 'evaluator']),
      }),
      raw,
      'jobs list',
    )
    const { escrow } = await openEscrow(options)
    const list = await jobsOf(escrow, options.address, options.role)
    out.result({ address: options.address, role: options.role, jobs: list }, () =>
      list.length === 0
        ? `no jobs for ${options.address} as ${options.role}`
        : table(
            ['job', 'status', 'budget', 'expires', 'request'],
            list.map((j) => [
              `#${j.jobId}`,
              j.status,
              tokenAmount(j.budget),
              new Date(Number(j.expiredAt) * 1000).toISOString(),
              describe(j),
            ]),
          ),
    )
  })

  escrowOptions(
    jobs
      .command('show')
      .description('one job: parties, budget, status, bond, acceptance')
      .argument('<jobId>', 'the job'),
  ).action(async (id: string, raw: Record<string, unknown>) => {
    const out = output()
    const { options, jobId } = parseJobCommand(raw, id, 'jobs show')
    const { escrow } = await openEscrow(options)
    const job = await getJob(escrow, jobId).catch((cause: unknown) => {
      throw new AgentError('AGENTS_JOB_UNKNOWN', `There is no job ${jobId} on this escrow.`, {
        cause,
        hint: 'See the jobs of an address with `hermit jobs list --address <a>`; -f names the escrow.',
      })
    })
    const [bond, acceptance, now] = await Promise.all([
      lockedBond(escrow, jobId),
      recordedAcceptance(escrow, jobId),
      chainTime(escrow),
    ])
    const refundable = (job.status === 'Funded' || job.status === 'Submitted') && now >= job.expiredAt
    const accepted = acceptance.accepted ? `yes (needs ${acceptance.minWorkSeconds} s of work)` : 'no'
    const bondState = bond.amount > 0n ? (bond.settled ? ' (settled)' : ' (locked)') : ''
    out.result({ job, bond, acceptance, refundable }, () =>
      [
        `job #${job.jobId}: ${job.status}${refundable ? ' (expired: refundable, run `hermit jobs refund`)' : ''}`,
        `client ${job.client}, provider ${job.provider}, evaluator ${job.evaluator}`,
        `budget ${tokenAmount(job.budget)}, expires ${new Date(Number(job.expiredAt) * 1000).toISOString()}, hook ${job.hook}`,
        `request: ${describe(job)}`,
        `accepted by the provider: ${accepted}; bond ${tokenAmount(bond.amount)}${bondState}`,
        job.status === 'Submitted' || job.status === 'Completed' ? `deliverable ${job.deliverable}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
  })

  escrowOptions(
    jobs
      .command('refund')
      .description('after the expiry: refund the escrow to its client and settle the bond (anyone may)')
      .argument('<jobId>', 'the job'),
  ).action(async (id: string, raw: Record<string, unknown>) => {
    const out = output()
    const { options, jobId } = parseJobCommand(raw, id, 'jobs refund')
    const opened = await openEscrow(options)
    const escrow = withWallet(opened.escrow, wallet(options.rpc, opened.escrow.publicClient.chain.id))
    let job = await getJob(escrow, jobId)
    const done: string[] = []
    if (job.status === 'Funded' || job.status === 'Submitted') {
      const now = await chainTime(escrow)
      if (now < job.expiredAt)
        throw new AgentError(
          'AGENTS_JOB_NOT_EXPIRED',
          `Job ${jobId} expires at ${new Date(Number(job.expiredAt) * 1000).toISOString()} (chain time); it cannot be refunded before.`,
          { hint: 'Run it again after the expiry (chain time, not this machine’s).' },
        )
      await claimRefund(escrow, jobId)
      done.push(`refunded ${tokenAmount(job.budget)} to ${job.client}`)
      job = await getJob(escrow, jobId)
    }
    const bond = await lockedBond(escrow, jobId)
    if (job.status === 'Expired' && bond.amount > 0n && !bond.settled) {
      const toProvider = await expiredBondToProvider(escrow, bond, job.expiredAt)
      await settleExpiredBond(escrow, jobId)
      const to = toProvider
        ? 'provider (it delivered in time for review)'
        : bond.submitted
          ? 'client (delivered too late to be reviewed)'
          : 'client (nothing was delivered)'
      done.push(`bond ${tokenAmount(bond.amount)} to the ${to}`)
    }
    if (done.length === 0)
      throw new AgentError(
        'AGENTS_JOB_NOTHING_TO_REFUND',
        `Job ${jobId} is ${job.status}: nothing is left to refund or settle.`,
        { hint: 'See the job with `hermit jobs show <jobId>`.' },
      )
    out.result({ jobId: jobId, status: job.status, done }, () => `job #${jobId}: ${done.join('; ')}`)
  })
}

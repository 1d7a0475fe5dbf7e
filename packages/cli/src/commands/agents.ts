import type { Command } from 'commander'
import { z } from 'zod'
import { findProviders } from '@hermit/agents'
import { parseArgs } from '../args.ts'
import { table, type Output } from '../output.ts'
import { units } from './chain.ts'
import { escrowArgs, escrowOptions, openEscrow, tokenAmount } from './escrow.ts'

export function registerAgents(program: Command, output: () => Output): void {
  const agents = program.command('agents').description('find agents to hire on the ERC-8004 identity registry')
  escrowOptions(
    agents
      .command('find')
      .description('providers of a skill on the Hermit escrow, with their price and paid-job reputation, best first')
      .requiredOption('--skill <skill>', 'e.g. summarize')
      .option('--max-price <units>', 'most you would pay, base units of the escrow token', String(2n ** 255n))
      .option('--min-jobs <n>', 'at least this many paid jobs', '0'),
  ).action(async (raw: Record<string, unknown>) => {
    const out = output()
    const options = parseArgs(
      z.strictObject({
        ...escrowArgs,
        skill: z.string().min(1).max(100),
        maxPrice: units,
        minJobs: z.coerce.number().int().min(0),
      }),
      raw,
      'agents find',
    )
    const { escrow, erc8004 } = await openEscrow(options)
    const { candidates, skipped } = await findProviders(escrow, erc8004, {
      skill: options.skill,
      maxPrice: options.maxPrice,
      minReputation: { jobs: options.minJobs },
    })
    const why = skipped.map((s) => `#${s.agentId} ${s.reason}`).join('; ')
    out.result({ candidates, skipped }, () =>
      candidates.length === 0
        ? `no provider of "${options.skill}"${skipped.length ? ` (${skipped.length} skipped: ${why})` : ''}`
        : table(
            ['agent', 'price', 'paid jobs', 'completed', 'weighted avg', 'clients', 'endpoint'],
            candidates.map((c) => [
              `#${c.agentId}`,
              tokenAmount(c.price),
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

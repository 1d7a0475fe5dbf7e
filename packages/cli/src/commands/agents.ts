import type { Command } from 'commander'
import { z } from 'zod'
import { findProviders, noCandidate } from '@hermit/agents'
import { parseArgs } from '../args.ts'
import { table, type Output } from '../output.ts'
import { parseAmount } from '../amount.ts'
import { escrowArgs, escrowOptions, escrowUnit, openEscrow, tokenAmount } from './escrow.ts'

export function registerAgents(program: Command, output: () => Output): void {
  const agents = program.command('agents').description('find agents to hire on the ERC-8004 identity registry')
  escrowOptions(
    agents
      .command('find')
      .description('providers of a skill on the Hermit escrow, with their price and paid-job reputation, best first')
      .requiredOption('--skill <skill>', 'e.g. summarize')
      .option(
        '--max-price <amount>',
        'most you would pay: "5 dUSD" (whole units of the escrow token) or "5000000 base"',
      )
      .option('--min-jobs <n>', 'at least this many paid jobs', '0'),
  ).action(async (raw: Record<string, unknown>) => {
    const out = output()
    const options = parseArgs(
      z.strictObject({
        ...escrowArgs,
        skill: z.string().min(1).max(100),
        maxPrice: z.string().optional(),
        minJobs: z.coerce.number().int().min(0),
      }),
      raw,
      'agents find',
    )
    const { escrow, erc8004 } = await openEscrow(options)
    const maxPrice =
      options.maxPrice === undefined
        ? 2n ** 255n
        : parseAmount(options.maxPrice, escrowUnit(), '--max-price', 'agents find')
    const minReputation = { jobs: options.minJobs }
    const { candidates, skipped } = await findProviders(escrow, erc8004, {
      skill: options.skill,
      maxPrice,
      minReputation,
      maxPriceName: '--max-price',
    })
    const unit = escrowUnit()
    out.result({ candidates, skipped, unit }, () =>
      candidates.length === 0
        ? // the same account of who was left out as hire() gives, its amounts with their unit
          noCandidate({ skill: options.skill, maxPrice, minReputation }, skipped, tokenAmount).shortMessage
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

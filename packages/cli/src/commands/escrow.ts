import { resolve } from 'node:path'
import type { Command } from 'commander'
import { formatUnits } from 'viem'
import { CliError } from '../errors.ts'
import { readDeployments } from '@hermit/devnet'
import { registriesFromDeployments, type Erc8004Client } from '@hermit/erc8004'
import { escrowFromDeployments, type Escrow } from '@hermit/agents'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'
import { z } from 'zod'
import { parseArgs } from '../args.ts'
import { chainClient, rpc } from './chain.ts'

/** What the `jobs` and `agents` commands share: the escrow and registries of a deployments file, on one RPC. */
export async function openEscrow(options: {
  rpc: string
  deployments: string
}): Promise<{ escrow: Escrow; erc8004: Erc8004Client }> {
  const publicClient = await chainClient(options.rpc)
  const d = readDeployments(resolve(options.deployments))
  if (d.chainId !== publicClient.chain.id)
    throw new CliError(
      'CLI_WRONG_CHAIN',
      `The deployments file is for chain ${d.chainId}, the RPC serves chain ${publicClient.chain.id}.`,
      { hint: 'Pass the deployments of this chain with -f.' },
    )
  return {
    escrow: escrowFromDeployments(d, { publicClient }),
    erc8004: { publicClient, registries: registriesFromDeployments(d) },
  }
}

/** --rpc, -f and --json, on every `jobs` and `agents` subcommand. */
export const escrowOptions = (c: Command) =>
  c
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
    .option('-f, --deployments <file>', 'where the escrow and registries are deployed', DEFAULT_DEPLOYMENTS_PATH)
    .option('--json', 'machine-readable JSON')

/** An amount of the escrow's token (6 decimals). */
export const tokenAmount = (v: bigint) => `${formatUnits(v, 6)}`

/** The arguments every `jobs` and `agents` subcommand takes (see escrowOptions), for its zod schema. */
export const escrowArgs = { rpc, deployments: z.string(), json: z.boolean().optional() }

const jobId = z
  .string()
  .regex(/^\d{1,20}$/, 'expected a job id')
  .transform((v) => BigInt(v))

/** The options and the job id of a `jobs <command> <jobId>` invocation, checked. */
export function parseJobCommand(raw: unknown, id: string, command: string) {
  const options = parseArgs(z.strictObject(escrowArgs), raw, command)
  return { options, jobId: parseArgs(z.strictObject({ jobId }), { jobId: id }, command).jobId }
}

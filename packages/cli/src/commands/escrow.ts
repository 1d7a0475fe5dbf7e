import { resolve } from 'node:path'
import type { Command } from 'commander'
import { CliError } from '../errors.ts'
import { readDeployments } from '@hermit/devnet'
import { registriesFromDeployments, type Erc8004Client } from '@hermit/erc8004'
import { escrowFromDeployments, paymentToken, type Escrow } from '@hermit/agents'
import { showAmount, tokenUnit, type Unit } from '../amount.ts'
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
  const escrow = escrowFromDeployments(d, { publicClient })
  // every amount a jobs / agents command shows or takes is in this token, with its symbol
  setUnit(await tokenUnit(publicClient, await paymentToken(escrow)))
  return { escrow, erc8004: { publicClient, registries: registriesFromDeployments(d) } }
}

// one escrow per command run: its token's unit, read by openEscrow before any amount is shown
let unit: Unit = { symbol: 'base units', decimals: 0 }
const setUnit = (u: Unit) => (unit = u)
/** The escrow token's unit (after openEscrow). */
export const escrowUnit = (): Unit => unit

/** --rpc, -f and --json, on every `jobs` and `agents` subcommand. */
export const escrowOptions = (c: Command) =>
  c
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
    .option('-f, --deployments <file>', 'where the escrow and registries are deployed', DEFAULT_DEPLOYMENTS_PATH)
    .option('--json', 'machine-readable JSON')

/** An amount of the escrow's token, with its symbol: `5 dUSD`. */
export const tokenAmount = (v: bigint) => showAmount(v, unit)

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

import { resolve } from 'node:path'
import type { Command } from 'commander'
import { createPublicClient, http } from 'viem'
import { z } from 'zod'
import { CliError } from '../errors.ts'
import { DeploymentsFileError, readDeployments } from '@hermit/devnet'
import { parseArgs } from '../args.ts'
import type { Output } from '../output.ts'
import { DEFAULT_DEPLOYMENTS_PATH, describeDeployments, shownDeployments } from './devnet.ts'

const optionsSchema = z.strictObject({
  file: z.string().min(1).default(DEFAULT_DEPLOYMENTS_PATH),
  check: z.boolean().optional(),
  json: z.boolean().optional(),
})

export function registerDeployments(program: Command, output: () => Output): void {
  program
    .command('deployments')
    .description('show (and with --check, verify on-chain) the deployments file that `hermit devnet` wrote')
    .option('-f, --file <file>', 'deployments JSON to read', DEFAULT_DEPLOYMENTS_PATH)
    .option('--check', 'ask the chain: same chain id, and code at every address')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(optionsSchema, raw, 'deployments')
      const d = readDeployments(resolve(options.file))
      let check: { chainId: number; missingCode: string[] } | undefined
      if (options.check) {
        const client = createPublicClient({ transport: http(d.rpcUrl, { retryCount: 0, timeout: 5_000 }) })
        let chainId: number
        try {
          chainId = await client.getChainId()
        } catch (cause) {
          throw new CliError('CLI_RPC_UNREACHABLE', `The devnet at ${d.rpcUrl} does not answer.`, {
            hint: 'Start it with `pnpm devnet`, or point --file at a current deployments file.',
            cause,
          })
        }
        const missingCode: string[] = []
        for (const [name, c] of Object.entries(d.contracts)) {
          const code = await client.getCode({ address: c.address })
          if (!code || code === '0x') missingCode.push(name)
        }
        check = { chainId, missingCode }
        if (chainId !== d.chainId || missingCode.length > 0) {
          throw new DeploymentsFileError(
            'DEVNET_DEPLOYMENTS_INVALID',
            `The chain at ${d.rpcUrl} does not match the deployments file.`,
            {
              hint: 'The devnet was restarted or is another chain: run `pnpm devnet` again.',
              details: { expectedChainId: d.chainId, chainId, missingCode },
            },
          )
        }
      }
      out.result(
        { ...shownDeployments(d), ...(check ? { check } : {}) },
        () => `${describeDeployments(d)}${check ? '\n\ncheck: chain id and code at every address match' : ''}`,
      )
    })
}

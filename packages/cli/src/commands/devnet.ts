import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import {
  anvilExitedError,
  DEFI_PRICES_USD,
  DevnetError,
  redactUrl,
  startDevnet,
  writeDeployments,
  type DefiAsset,
  type Deployments,
} from '@hermit/devnet'
import { blockNumberSchema, parseArgs, portSchema } from '../args.ts'
import { table, type Output } from '../output.ts'

export const DEFAULT_DEPLOYMENTS_PATH = '.hermit/deployments.json'

const optionsSchema = z.strictObject({
  port: portSchema.default(8545),
  host: z.string().min(1).default('127.0.0.1'),
  chainId: z.coerce.number().int().positive().optional(),
  forkUrl: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
  forkBlock: blockNumberSchema.optional(),
  out: z.string().min(1).default(DEFAULT_DEPLOYMENTS_PATH),
  deploy: z.boolean().default(true),
  world: z.enum(['hermit', 'defi'], { message: "expected 'hermit' or 'defi'" }).default('hermit'),
  json: z.boolean().optional(),
})

/** Deployments as the CLI prints them: the fork URL (an RPC that may hold an API key) without its path or query. */
export const shownDeployments = (d: Deployments): Deployments =>
  d.fork ? { ...d, fork: { ...d.fork, url: redactUrl(d.fork.url) } } : d

/** The DeFi world's seeded tokens, pairs, pools and Safe, under the contract table. */
export function describeDefiWorld(d: Deployments): string[] {
  const w = d.defi
  if (!w) return []
  const price = (symbol: string) =>
    symbol in DEFI_PRICES_USD ? `$${DEFI_PRICES_USD[symbol as DefiAsset].toLocaleString('en-US')}` : '?'
  const symbolOf = new Map<string, string>(Object.entries(w.tokens).map(([symbol, t]) => [t.address, symbol]))
  const pairName = (a: string, b: string) => `${symbolOf.get(a) ?? a}/${symbolOf.get(b) ?? b}`
  return [
    'DeFi world (Uniswap V2/V3 and Safe from their npm artifacts, at CREATE2 addresses):',
    table(
      ['token', 'address', 'decimals', 'price'],
      Object.entries(w.tokens).map(([s, t]) => [s, t.address, String(t.decimals), price(s)]),
    ),
    '',
    table(
      ['Uniswap V2 pair', 'address'],
      Object.values(w.v2Pairs).map((p) => [pairName(p.token0, p.token1), p.address]),
    ),
    '',
    table(
      ['Uniswap V3 pool', 'fee', 'address', 'position', 'ticks'],
      Object.values(w.v3Pools).map((p) => [
        pairName(p.token0, p.token1),
        `${p.fee / 10_000}%`,
        p.address,
        `#${p.positionId}`,
        `${p.tickLower}..${p.tickUpper}`,
      ]),
    ),
    '',
    `Safe ${w.safe.address} (${w.safe.threshold}-of-${w.safe.owners.length}, owners ${w.safe.owners.join(', ')})`,
    '',
  ]
}

export function describeDeployments(d: Deployments): string {
  const rows = Object.entries(d.contracts).map(([name, c]) => [name, c.address, c.gasUsed.toString()])
  return [
    `chain ${d.chainId} at ${d.rpcUrl}${d.fork ? ` (fork at block ${d.fork.blockNumber ?? 'latest'})` : ''}`,
    '',
    rows.length > 0 ? table(['contract', 'address', 'deploy gas'], rows) : '(no contracts deployed)',
    '',
    ...describeDefiWorld(d),
    `dev accounts (keys: anvil's public test mnemonic, indexes 0-${d.accounts.length - 1}):`,
    ...d.accounts.map((a, i) => `  ${i}  ${a}`),
  ].join('\n')
}

export function registerDevnet(program: Command, output: () => Output): void {
  program
    .command('devnet')
    .description('start a local Anvil devnet with every Hermit contract deployed, and keep it running')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8545')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--chain-id <id>', 'chain id (default 31337, or the forked chain)')
    .option('--fork-url <url>', 'fork this JSON-RPC endpoint')
    .option('--fork-block <number>', 'block to fork at (default latest)')
    .option('-o, --out <file>', 'where to write the deployments JSON', DEFAULT_DEPLOYMENTS_PATH)
    .option('--no-deploy', 'start the chain without deploying Hermit contracts')
    .option('--world <name>', "'hermit' (Hermit's contracts) or 'defi' (also Uniswap V2/V3 and Safe, seeded)", 'hermit')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(optionsSchema, raw, 'devnet')
      const fork = options.forkUrl
        ? { url: options.forkUrl, ...(options.forkBlock === undefined ? {} : { blockNumber: options.forkBlock }) }
        : undefined
      out.info(options.world === 'defi' ? 'starting anvil with the DeFi world…' : 'starting anvil…')
      const devnet = await startDevnet({
        port: options.port,
        host: options.host,
        deploy: options.deploy,
        world: options.world,
        ...(options.chainId === undefined ? {} : { chainId: options.chainId }),
        ...(fork ? { fork } : {}),
      })
      const file = resolve(options.out)
      writeDeployments(file, devnet.deployments)
      // anvil does not hold the event loop open (so scripts that forget stop() still exit): this does
      const keepAlive = setInterval(() => {}, 2 ** 30)
      // listening before the line that says it runs: a script may send SIGINT the moment it reads that line
      const stopped = new Promise<'signal' | 'anvil-exited'>((resolveStop) => {
        const stop = (signal: NodeJS.Signals) => {
          out.info(`${signal}: stopping the devnet…`)
          resolveStop('signal')
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        void devnet.exited.then(() => resolveStop('anvil-exited'))
      })
      out.result(
        { deploymentsFile: file, pid: devnet.pid, ...shownDeployments(devnet.deployments) },
        () =>
          `${describeDeployments(devnet.deployments)}\n\ndeployments written to ${file}\nrunning — press Ctrl-C to stop`,
      )
      const how = await stopped
      clearInterval(keepAlive)
      await devnet.stop()
      // the chain is gone: a stale file would point the CLI at nothing
      rmSync(file, { force: true })
      if (how === 'anvil-exited') {
        // how it ended (signal or code) and its stderr's end, in the error's details
        const died = anvilExitedError(devnet.exit!)
        throw new DevnetError('DEVNET_ANVIL_EXITED', `${died.shortMessage} The devnet is gone.`, {
          hint: 'Start it again with `pnpm devnet`.',
          details: died.details,
        })
      }
      out.info('devnet stopped; deployments file removed')
    })
}

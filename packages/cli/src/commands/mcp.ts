import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { escrowFromDeployments } from '@hermit/agents'
import { terminateProver } from '@hermit/circuits'
import { defiWorld, readDeployments, startDevnet, type Deployments } from '@hermit/devnet'
import { registriesFromDeployments } from '@hermit/erc8004'
import type { HermitMcpOptions } from '@hermit/mcp'
import { policySchema } from '@hermit/txguard'
import { loadKeystore, TicketStore } from '@hermit/zkpay'
import { parseArgs, portSchema } from '../args.ts'
import { CliError } from '../errors.ts'
import { readJson } from '../files.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'
import { chainClient, rpc, secret } from './chain.ts'
import { signerFor } from './keys.ts'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'
import { registerMcpGuard } from './mcp-guard.ts'

const mcpSchema = z.strictObject({
  rpc,
  http: z.boolean().optional(),
  port: portSchema.default(8547),
  host: z.string().min(1).default('127.0.0.1'),
  token: z.string().min(16, 'a bearer token of 16+ characters').optional(),
  allowedHost: z.array(z.string().min(1)).optional(),
  model: z.string().optional(),
  policy: z.string().optional(),
  addressBook: z.string().optional(),
  tokens: z.string().optional(),
  deployments: z.string().min(1).default(DEFAULT_DEPLOYMENTS_PATH),
  journal: z.string().min(1).optional(),
  keystore: z.string().min(1).optional(),
  signingKeystore: z.string().min(1).optional(),
  ticketsFile: z.string().min(1).optional(),
  json: z.boolean().optional(),
})

/** The deployments' DeFi world and escrow, each only if the file has it (the tools that need one say so). */
function fromDeployments(d: Deployments | undefined, client: HermitMcpOptions['client']) {
  if (!d) return {}
  const out: Partial<HermitMcpOptions> = { deployments: d }
  try {
    out.protocols = defiWorld(d)
  } catch {}
  try {
    out.agents = {
      escrow: escrowFromDeployments(d, { publicClient: client }),
      erc8004: { publicClient: client, registries: registriesFromDeployments(d) },
    }
  } catch {}
  return out
}

export function registerMcp(program: Command, output: () => Output): void {
  program
    .command('mcp')
    .description(
      "Hermit's tools for agents as an MCP server (stdio, or Streamable HTTP on 127.0.0.1 with --http): verify, propose, " +
        'paid fetch, agents, balances. Signs only with --signing-keystore or $HERMIT_PRIVATE_KEY; --token or $HERMIT_MCP_TOKEN guards HTTP',
    )
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain (a local fork of it simulates every check)')
    .option('--http', 'serve Streamable HTTP instead of stdio')
    .option('-p, --port <port>', 'HTTP port', '8547')
    .option('--host <host>', 'HTTP interface', '127.0.0.1')
    .option('--token <bearer>', 'HTTP: require this bearer token (default $HERMIT_MCP_TOKEN)')
    .option('--allowed-host <host...>', 'HTTP: host names accepted in Host/Origin besides localhost')
    .option('--model <spec>', 'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf> (default $HERMIT_MODEL)')
    .option('--policy <file>', 'JSON policy (txguard): address book, token list, outflow limits')
    .option('--address-book <file>', 'JSON { name: address }')
    .option('--tokens <file>', 'JSON { SYMBOL: address }: your token list')
    .option('-f, --deployments <file>', 'deployments JSON (DeFi world, escrow, registries)', DEFAULT_DEPLOYMENTS_PATH)
    .option('--journal <file>', 'where propose_transaction journals signed transactions')
    .option(
      '--signing-keystore <file>',
      'sign with the key in this keystore (`hermit keys`; password $HERMIT_KEYSTORE_PASSWORD)',
    )
    .option('-k, --keystore <file>', 'paid_fetch: the ZK identity keystore (password $HERMIT_KEYSTORE_PASSWORD)')
    .option('-t, --tickets-file <file>', 'paid_fetch: the deposit ticket state')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      // loaded here, not with the CLI: every other command starts without the MCP SDK
      const { newState, serveStdio, startMcpHttp } = await import('@hermit/mcp')
      const o = parseArgs(
        mcpSchema,
        {
          ...raw,
          ...(raw.token === undefined && process.env.HERMIT_MCP_TOKEN ? { token: process.env.HERMIT_MCP_TOKEN } : {}),
        },
        'mcp',
      )
      const client = await chainClient(o.rpc)
      const policy = o.policy ? readJson(o.policy, policySchema, 'Policy') : undefined
      const deploymentsPath = resolve(o.deployments)
      const deployments = existsSync(deploymentsPath) ? readDeployments(deploymentsPath) : undefined
      const { keystore, ticketsFile } = o
      if ((keystore === undefined) !== (ticketsFile === undefined))
        throw new CliError('CLI_BAD_ARGUMENT', 'mcp: --keystore and --tickets-file go together.', {
          hint: 'Pass both for paid_fetch (a ZK identity and its deposit), or neither.',
        })
      // everything starts before the fork, so a bad flag or file never leaves an anvil behind
      const options: HermitMcpOptions = {
        client,
        rpcUrl: o.rpc,
        ...(o.signingKeystore || process.env.HERMIT_PRIVATE_KEY
          ? { wallet: signerFor(o.signingKeystore, o.rpc, client.chain.id) }
          : {}),
        provider: modelFromSpec(o.model),
        ...(policy ? { policy } : {}),
        ...(o.addressBook
          ? { addressBook: readJson(o.addressBook, policySchema.shape.addressBook, 'Address book') }
          : {}),
        ...(o.tokens ? { tokens: readJson(o.tokens, policySchema.shape.tokens, 'Token list') } : {}),
        ...fromDeployments(deployments, client),
        ...(o.journal ? { journal: resolve(o.journal) } : {}),
        ...(keystore && ticketsFile
          ? {
              payment: () => ({
                identity: loadKeystore(resolve(keystore), secret('HERMIT_KEYSTORE_PASSWORD')),
                tickets: TicketStore.open(resolve(ticketsFile)),
              }),
            }
          : {}),
      }
      const fork = await startDevnet({ fork: { url: o.rpc }, deploy: false })
      options.simulation = fork.publicClient
      // the fork follows the chain: brought to its head before each check
      options.beforeCheck = () => fork.testClient.reset({ jsonRpcUrl: o.rpc })
      const state = newState()
      const keepAlive = setInterval(() => {}, 2 ** 30)
      let closeHttp: (() => Promise<void>) | undefined
      let stop = () => {}
      const stopped = new Promise<void>((r) => {
        stop = r
        process.once('SIGINT', () => r())
        process.once('SIGTERM', () => r())
      })
      try {
        if (o.http) {
          const http = await startMcpHttp(
            options,
            {
              host: o.host,
              port: o.port,
              ...(o.token ? { token: o.token } : {}),
              ...(o.allowedHost ? { allowedHosts: o.allowedHost } : {}),
            },
            state,
          )
          closeHttp = http.close
          out.result(
            { url: http.url, token: o.token !== undefined, wallet: options.wallet?.account.address ?? null },
            () =>
              `hermit mcp on ${http.url} (${o.token ? 'bearer token required' : 'no token: local processes only'}); Ctrl-C stops.`,
          )
        } else {
          // stdout is the MCP channel: only the protocol goes there, people read stderr
          const { closed } = await serveStdio(options, state)
          void closed.then(stop)
          process.stderr.write(
            `hermit mcp on stdio (chain ${client.chain.id}, wallet ${options.wallet?.account.address ?? 'none: nothing is signed'})\n`,
          )
        }
        await stopped
      } finally {
        clearInterval(keepAlive)
        await closeHttp?.()
        await fork.stop()
        await terminateProver()
      }
    })
  registerMcpGuard(program, output)
}

import { spawn } from 'node:child_process'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { defiWorld, readDeployments } from '@hermit/devnet'
import { policySchema } from '@hermit/txguard'
import { ForkPool } from '@hermit/proposer'
import { startUi, zkpayPaid, type UiServer } from '@hermit/ui'
import { createZkPayClient, loadKeystore, TicketStore } from '@hermit/zkpay'
import { parseArgs, portSchema } from '../args.ts'
import { CliError } from '../errors.ts'
import { readJson } from '../files.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'
import { chainClient, rpc, secret } from './chain.ts'
import { signerFor } from './keys.ts'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'

const uiSchema = z.strictObject({
  rpc,
  open: z.boolean().optional(),
  model: z.string().optional(),
  from: z
    .string()
    .refine((s) => isAddress(s, { strict: false }), 'an address')
    .optional(),
  policy: z.string().optional(),
  addressBook: z.string().optional(),
  tokens: z.string().optional(),
  deployments: z.string().min(1).default(DEFAULT_DEPLOYMENTS_PATH),
  journal: z.string().min(1).optional(),
  keystore: z.string().min(1).optional(),
  zkIdentity: z.string().min(1).optional(),
  ticketsFile: z.string().min(1).optional(),
  port: portSchema.default(0),
  json: z.boolean().optional(),
})

/** Opens the page in the person's browser; a machine without one just keeps the printed link. */
export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]]
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true })
  child.on('error', () => undefined)
  child.unref()
}

/** Resolves on SIGINT or SIGTERM; listening before anything says the server runs. */
export function untilStopped(): Promise<void> {
  const keepAlive = setInterval(() => {}, 2 ** 30)
  return new Promise<void>((r) => {
    const stop = () => {
      clearInterval(keepAlive)
      r()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

export function registerUi(program: Command, output: () => Output): void {
  program
    .command('ui')
    .description(
      'a local page (127.0.0.1, one-time token in the link) to propose, review and sign: the plan Hermit builds, ' +
        'its simulated changes, the verdict; signed with --keystore or $HERMIT_PRIVATE_KEY (never shown to the page) or your browser wallet',
    )
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain (a fork of it simulates each plan)')
    .option('--open', 'open the page in your browser')
    .option(
      '--model <spec>',
      'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf> (default $HERMIT_MODEL or none)',
    )
    .option('--from <address>', 'propose for this address when there is no key (sign with the browser wallet)')
    .option('--policy <file>', 'JSON policy (txguard): address book, token list, outflow limits')
    .option('--address-book <file>', 'JSON { name: address }')
    .option('--tokens <file>', 'JSON { SYMBOL: address }: your token list')
    .option('--deployments <file>', 'deployments JSON with the DeFi world (Uniswap, WETH)', DEFAULT_DEPLOYMENTS_PATH)
    .option('--journal <file>', 'where signed transactions are recorded before broadcast')
    .option(
      '--keystore <file>',
      'sign with the key in this keystore (`hermit keys`; password $HERMIT_KEYSTORE_PASSWORD)',
    )
    .option('--zk-identity <file>', 'with --tickets-file: show the paid-calls panel for this ZK identity')
    .option('--tickets-file <file>', 'the deposit ticket state of --zk-identity')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default: a random free one)')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const o = parseArgs(uiSchema, raw, 'ui')
      const policy = o.policy ? readJson(o.policy, policySchema, 'Policy') : undefined
      const addressBook = o.addressBook ? readJson(o.addressBook, policySchema.shape.addressBook, 'Address book') : {}
      const tokens = o.tokens ? readJson(o.tokens, policySchema.shape.tokens, 'Token list') : {}
      const protocols = defiWorld(readDeployments(resolve(o.deployments)))
      const client = await chainClient(o.rpc)
      const account =
        o.keystore || process.env.HERMIT_PRIVATE_KEY ? signerFor(o.keystore, o.rpc, client.chain.id).account : undefined
      if (!account && !o.from)
        throw new CliError(
          'CLI_MISSING_SECRET',
          'Pass --keystore <file> or set HERMIT_PRIVATE_KEY, or pass --from <address>.',
          {
            hint: 'With --from, proposals are for that address and the page sends them with your browser wallet.',
          },
        )
      const user: Address = account ? account.address : getAddress(o.from!)
      const provider = modelFromSpec(o.model)
      if (Boolean(o.zkIdentity) !== Boolean(o.ticketsFile))
        throw new CliError('CLI_BAD_ARGUMENT', 'ui: --zk-identity and --tickets-file go together.', {
          hint: 'Pass both to show the paid-calls panel, or neither.',
        })
      // the paid-calls panel reads the same state `hermit pay fetch` spends; it buys nothing here
      const tickets = o.ticketsFile ? TicketStore.open(resolve(o.ticketsFile)) : undefined
      const paid =
        o.zkIdentity && tickets
          ? zkpayPaid({
              client: createZkPayClient({
                identity: loadKeystore(resolve(o.zkIdentity), secret('HERMIT_KEYSTORE_PASSWORD')),
                tickets,
                publicClient: client,
              }),
              tickets,
            })
          : undefined
      const forks = new ForkPool()
      const server: UiServer = await startUi({
        port: o.port,
        ...(paid ? { paid } : {}),
        propose: {
          options: {
            client,
            rpcUrl: o.rpc,
            user,
            protocols,
            addressBook: { ...policy?.addressBook, ...addressBook },
            tokens: { ...policy?.tokens, ...tokens },
            ...(policy ? { policy } : {}),
            ...(provider.kind === 'none' ? {} : { provider }),
            // one fork per RPC, reverted between proposals: a page proposes many times
            forks,
          },
          ...(account ? { account } : {}),
          journal: o.journal ?? join(homedir(), '.hermit', 'proposer-journal.json'),
        },
      })
      const stopped = untilStopped()
      out.result(
        { url: server.url, signer: account?.address ?? null, model: provider.label },
        () =>
          `hermit ui on ${server.url}\n(signs with ${account ? account.address : 'your browser wallet only'}; model: ${provider.label}). Ctrl-C stops.`,
      )
      if (o.open) openInBrowser(server.url)
      await stopped
      await server.close()
      await forks.close()
    })
}

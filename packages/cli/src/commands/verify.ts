import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { z } from 'zod'
import { CliError, portInUse } from '../errors.ts'
import { startDevnet, type Devnet } from '@hermit/devnet'
import {
  formatReport,
  parseRequest,
  policySchema,
  reportToJson,
  SigningRecord,
  startGuardProxy,
  verify,
  type PolicyInput,
} from '@hermit/txguard'
import { GuardBoard, startUi } from '@hermit/ui'
import { parseArgs, portSchema } from '../args.ts'
import { ExitCode } from '../exit.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'

const rpcUrl = z.url({ protocol: /^(https?|wss?)$/, error: 'expected an http(s) or ws(s) JSON-RPC URL' })

function readJsonInput(source: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8')
  } catch (cause) {
    throw new CliError('CLI_INPUT_UNREADABLE', `Cannot read ${what} from ${source === '-' ? 'stdin' : source}.`, {
      cause,
      hint: 'Pass a file path, or - to read stdin.',
    })
  }
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new CliError('CLI_INPUT_NOT_JSON', `The ${what} in ${source === '-' ? 'stdin' : source} is not valid JSON.`, {
      cause,
      hint: 'Fix the file: it must be one JSON document.',
    })
  }
}

/**
 * The policy file, with `--address-book` and `--tokens` files laid over its address book and token
 * list (a name or symbol in both: the separate file wins).
 */
function readPolicyWith(
  path: string | undefined,
  extra: { addressBook?: string | undefined; tokens?: string | undefined },
): PolicyInput | undefined {
  const base = readPolicy(path)
  if (!extra.addressBook && !extra.tokens) return base
  const part = (file: string, what: 'addressBook' | 'tokens') => {
    const shape = policySchema.shape[what]
    const parsed = shape.safeParse(readJsonInput(file, what === 'tokens' ? 'token list' : 'address book'))
    if (parsed.success) return parsed.data
    const issue = parsed.error.issues[0]!
    throw new CliError('CLI_POLICY_INVALID', `${file}: entry ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      hint:
        what === 'tokens'
          ? 'A token list is { "SYMBOL": "0x…token address" }.'
          : 'An address book is { "name": "0x…address" }.',
    })
  }
  return {
    ...base,
    addressBook: { ...base?.addressBook, ...(extra.addressBook ? part(extra.addressBook, 'addressBook') : {}) },
    tokens: { ...base?.tokens, ...(extra.tokens ? part(extra.tokens, 'tokens') : {}) },
  }
}

function readPolicy(path: string | undefined): PolicyInput | undefined {
  if (!path) return undefined
  const parsed = policySchema.safeParse(readJsonInput(path, 'policy'))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new CliError(
      'CLI_POLICY_INVALID',
      `Policy ${path}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      {
        hint: 'A policy is { addressBook: { name: address }, history: [address], outflowLimits: { native|token: amount }, recentBlocks }.',
      },
    )
  }
  return parsed.data
}

// --model, else HERMIT_MODEL, else none; the llamacpp: scheme too (see ../model.ts)
const model = modelFromSpec

const verifySchema = z.strictObject({
  rpc: rpcUrl,
  intent: z.string().min(1).max(500).optional(),
  model: z.string().optional(),
  policy: z.string().optional(),
  origin: z.string().max(500).optional(),
  addressBook: z.string().optional(),
  tokens: z.string().optional(),
  record: z.string().optional(),
  historyBlocks: z.coerce.number().int().nonnegative().max(10_000_000).optional(),
  json: z.boolean().optional(),
})

export const VERDICT_EXIT = { allow: ExitCode.ok, warn: ExitCode.warn, block: ExitCode.block } as const

export function registerVerify(program: Command, output: () => Output, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description(
      'check a transaction or signature request before signing: simulate it on a local fork of --rpc (nothing is sent); exit 0 allow, 1 warn, 2 block',
    )
    .argument(
      '[file]',
      'request JSON: { chainId, from, to, value, data } or { chainId, from, typedData } (- or nothing: stdin)',
      '-',
    )
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain to fork for the simulation')
    .option('--intent <words>', 'what you mean to do, e.g. "send 0.2 ETH to alice"')
    .option(
      '--model <spec>',
      'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf> (default $HERMIT_MODEL or none)',
    )
    .option('--policy <file>', 'JSON policy: address book, history, outflow limits')
    .option('--origin <url>', "the dapp's origin")
    .option('--address-book <file>', "JSON { name: address }: the people and contracts you know (over the policy's)")
    .option('--tokens <file>', 'JSON { SYMBOL: address }: your token list; intents name tokens through it')
    .option('--record <file>', 'JSON record of what you checked and signed through Hermit (read, and this check added)')
    .option(
      '--history-blocks <n>',
      'newest blocks of your Transfer logs read for your past counterparties (default 100000; 0: none)',
    )
    .action(async (file: string, raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(verifySchema, raw, 'verify')
      const provider = model(options.model)
      const policy = readPolicyWith(options.policy, { addressBook: options.addressBook, tokens: options.tokens })
      const input = readJsonInput(file, 'request')
      parseRequest(input) // a bad request fails here, before any fork starts
      out.info(`forking ${new URL(options.rpc).host} for the simulation…`)
      let fork: Devnet | undefined
      try {
        fork = await startDevnet({ fork: { url: options.rpc }, deploy: false })
        const report = await verify(input, {
          client: fork.publicClient,
          provider,
          ...(options.intent ? { intent: options.intent } : {}),
          ...(options.origin ? { origin: options.origin } : {}),
          ...(policy ? { policy } : {}),
          ...(options.record ? { record: new SigningRecord(options.record) } : {}),
          ...(options.historyBlocks === undefined ? {} : { historyBlocks: options.historyBlocks }),
        })
        out.result(JSON.parse(reportToJson(report)), () => formatReport(report))
        setExit(VERDICT_EXIT[report.verdict])
      } finally {
        await fork?.stop()
      }
    })
}

const guardSchema = z.strictObject({
  upstream: rpcUrl,
  port: portSchema.default(8546),
  host: z.string().default('127.0.0.1'),
  model: z.string().optional(),
  policy: z.string().optional(),
  refuseWarn: z.boolean().optional(),
  record: z.string().optional(),
  ui: z.boolean().optional(),
  hold: z.coerce.number().int().min(1).max(3600).default(120),
  json: z.boolean().optional(),
})

export function registerGuard(program: Command, output: () => Output): void {
  program
    .command('guard')
    .description(
      'a JSON-RPC proxy for any wallet: forwards to --upstream, but checks eth_sendTransaction, eth_sendRawTransaction, ' +
        'eth_signTypedData_v4, eth_sign and personal_sign first and refuses what is blocked',
    )
    .requiredOption('--upstream <url>', 'the RPC the wallet would use')
    .option('-p, --port <port>', 'port to listen on', '8546')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--model <spec>', 'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf>')
    .option('--policy <file>', 'JSON policy: address book, history, outflow limits')
    .option('--refuse-warn', 'refuse warn verdicts too, not only block')
    .option(
      '--record <file>',
      'JSON record of what you checked and signed through Hermit (forwarded requests count as signed)',
    )
    .option('--ui', 'a local page listing every checked request live; a warn waits there for you to allow or refuse it')
    .option('--hold <seconds>', 'with --ui: how long a warn waits for an answer before it is refused', '120')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(guardSchema, raw, 'guard')
      const refuse: Array<'warn' | 'block'> = options.refuseWarn ? ['warn', 'block'] : ['block']
      const board = options.ui ? new GuardBoard({ holdMs: options.hold * 1000, refuse }) : undefined
      const provider = model(options.model)
      const policy = readPolicy(options.policy)
      const fork = await startDevnet({ fork: { url: options.upstream }, deploy: false })
      // a busy port is the user's to fix (69, naming -p/--port), and the fork started for it is stopped
      const proxy = await startGuardProxy({
        upstream: options.upstream,
        simulation: fork.publicClient,
        // bring the fork to the upstream's head before each check
        beforeCheck: () => fork.testClient.reset({ jsonRpcUrl: options.upstream }),
        provider,
        port: options.port,
        host: options.host,
        refuse,
        ...(policy ? { policy } : {}),
        ...(options.record ? { record: new SigningRecord(options.record) } : {}),
        onCheck: (method, report, origin) => {
          board?.onCheck(method, report, origin)
          out.info(`${method}: ${report.verdict}${report.reasons[0] ? ` — ${report.reasons[0].message}` : ''}`)
        },
        ...(board ? { decide: board.decide } : {}),
      }).catch(async (error: unknown) => {
        await fork.stop()
        throw portInUse(error, options.port)
      })
      const page = board ? await startUi({ guard: board }) : undefined
      const keepAlive = setInterval(() => {}, 2 ** 30)
      // listening before the line that says it runs: a script may send SIGINT the moment it reads that line
      const stopped = new Promise<void>((r) => {
        process.once('SIGINT', () => r())
        process.once('SIGTERM', () => r())
      })
      out.result(
        {
          url: proxy.url,
          upstream: new URL(options.upstream).host,
          model: provider.label,
          ...(page ? { ui: page.url } : {}),
        },
        () =>
          `hermit guard on ${proxy.url} → ${new URL(options.upstream).host} (model: ${provider.label}); point your wallet's RPC here. Ctrl-C stops.` +
          (page ? `\nwarnings wait for you on ${page.url} (refused after ${options.hold} s)` : ''),
      )
      await stopped
      clearInterval(keepAlive)
      await page?.close()
      await proxy.close()
      await fork.stop()
    })
}

/**
 * `hermit gateway`: a paid, anonymous front for an OpenAI-compatible or Ollama model server, and
 * `hermit pay proxy` (registered under `pay`): the user's side, on 127.0.0.1.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { loadVerificationKey, terminateProver } from '@hermit/circuits'
import { GatewayError, createGateway, createPayProxy, tokensPerTicketFor } from '@hermit/gateway'
import {
  ProofVerifierPool,
  TicketStore,
  nullifierStoreFromUrl,
  createZkPayClient,
  loadKeystore,
  type NullifierStore,
} from '@hermit/zkpay'
import { shortMessageOf } from '@hermit/errors'
import { parseArgs } from '../args.ts'
import { CliError, unreachableReason } from '../errors.ts'
import type { Output } from '../output.ts'
import { address, chainClient, rpc, secret, wallet } from './chain.ts'
import { poolAt } from './pool.ts'
import { ETH, parseAmount, showAmount, tokenUnit } from '../amount.ts'

const port = z.coerce.number().int().min(0).max(65_535)
const count = z.coerce.number().int().min(1)

/** The nullifier store `--store` names: `sqlite:<path>` (embedded) or `postgres://…` (several gateways). */
function openStore(url: string): Promise<NullifierStore> {
  // the password double-spend secrets are sealed with; without it, a per-process key
  const password = process.env.HERMIT_STORE_PASSWORD
  return nullifierStoreFromUrl(url, password ? { secretsPassword: password } : {})
}

/** Resolves on SIGINT / SIGTERM; a server alone would hold the process, this says when to let go. */
function untilSignal(out: Output, what: string): Promise<void> {
  return new Promise((r) => {
    const stop = (signal: NodeJS.Signals) => {
      out.info(`${signal}: stopping the ${what}…`)
      r()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

export function registerGateway(program: Command, output: () => Output): void {
  program
    .command('gateway')
    .description(
      'a paid, anonymous front for an OpenAI-compatible or Ollama server: zk-rln tickets, priced by size (slasher key: $HERMIT_PRIVATE_KEY, optional)',
    )
    .requiredOption('--rpc <url>', 'JSON-RPC of the pool chain')
    .requiredOption('--pool <address>', 'the CreditPool calls are paid into')
    .requiredOption('--upstream <url>', 'the model server (OpenAI-compatible base without /v1, or an Ollama host)')
    .option('--port <n>', 'port to listen on', '8402')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--store <url>', 'nullifier store: sqlite:<path> or postgres://…', 'sqlite:./hermit-nullifiers.sqlite')
    .option(
      '--price-per-1k-tokens <amount>',
      'price of 1000 tokens (prompt and answer), in the pool\'s unit: "0.00025 ETH" or "250000000000000 base" (default: one ticket)',
    )
    .option('--max-tokens <n>', 'answer budget of a call that names none', '256')
    .option('--workers <n>', 'proof verifier threads', '2')
    .option(
      '--preverify',
      'take precomputed proofs ahead of their calls (PAYMENT-PREVERIFY): a call then skips its pairing',
    )
    .option('--json', 'machine-readable JSON')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          rpc,
          pool: address,
          upstream: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          port,
          host: z.string().min(1),
          store: z.string().min(1),
          pricePer1kTokens: z.string().optional(),
          maxTokens: count,
          workers: count.max(64),
          preverify: z.boolean().optional(),
          json: z.boolean().optional(),
        }),
        raw,
        'gateway',
      )
      const publicClient = await chainClient(options.rpc)
      // an account or another contract is CLI_NOT_A_POOL (65), not viem's dump of a reverted read
      const pool = await poolAt(publicClient, options.pool)
      const unit = pool.token ? await tokenUnit(publicClient, pool.token) : ETH
      // one amount rule for the CLI: whole units with the pool's symbol, or base units spelled as such
      const pricePer1k =
        options.pricePer1kTokens === undefined
          ? undefined
          : parseAmount(options.pricePer1kTokens, unit, '--price-per-1k-tokens', 'gateway')
      const tokensPerTicket = pricePer1k ? tokensPerTicketFor(pool.price, pricePer1k) : 1000
      if (!Number.isSafeInteger(tokensPerTicket) || tokensPerTicket < 1)
        throw new GatewayError(
          'GATEWAY_BAD_OPTIONS',
          `--price-per-1k-tokens: one ticket (${showAmount(pool.price, unit)}) would buy no token.`,
          {
            hint: 'Lower --price-per-1k-tokens (at most 1000 × the pool price), or open a pool with a higher price.',
          },
        )
      const store = await openStore(options.store)
      const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: options.workers })
      try {
        const gateway = createGateway({
          publicClient,
          pool,
          upstream: options.upstream,
          store,
          verifier,
          ...(process.env.HERMIT_PRIVATE_KEY ? { slasher: wallet(options.rpc, publicClient.chain.id) } : {}),
          tokensPerTicket,
          defaultMaxTokens: options.maxTokens,
          ...(options.preverify ? { gate: { preverify: true } } : {}),
        })
        const stopped = untilSignal(out, 'gateway')
        const listening = await gateway.listen({ port: options.port, host: options.host })
        out.result(
          {
            url: listening.url,
            pool: pool.address,
            upstream: options.upstream,
            tokensPerTicket,
            price: pool.price.toString(),
          },
          () =>
            `gateway on ${listening.url} → ${options.upstream}: one ticket (${showAmount(pool.price, unit)}) buys ${tokensPerTicket} tokens; ` +
            `/healthz, /metrics; no address or request content is logged\nrunning — press Ctrl-C to stop`,
        )
        await stopped
        await listening.close()
      } finally {
        await verifier.close()
        await store.close()
      }
    })
}

/** A gateway that cannot be reached (errors.ts unreachableReason) is 69 with its host, as `pay fetch` says of an endpoint. */
function unreachable(error: unknown, url: string): unknown {
  const reason = unreachableReason(error)
  if (reason === undefined) return error
  return new CliError(
    'CLI_UNREACHABLE',
    `Cannot reach the gateway at ${new URL(url).host}: ${shortMessageOf(reason)}`,
    {
      cause: error,
      hint: 'Is `hermit gateway` running, and is --gateway its URL?',
    },
  )
}

/** `hermit pay proxy`: registered by `registerPay`. */
export function registerPayProxy(pay: Command, output: () => Output): void {
  pay
    .command('proxy')
    .description('serve the OpenAI and Ollama routes on 127.0.0.1, paying each call to a gateway with ZK tickets')
    .requiredOption('--rpc <url>', 'JSON-RPC of the pool chain (to sync the deposit tree)')
    .requiredOption('--gateway <url>', 'the `hermit gateway` to pay')
    .requiredOption('-k, --keystore <file>', 'the ZK identity keystore (password: $HERMIT_KEYSTORE_PASSWORD)')
    .requiredOption('-t, --tickets-file <file>', 'the deposit ticket state')
    .option('--port <n>', 'port on 127.0.0.1', '8787')
    .option('--min-anonymity <n>', 'refuse to pay while the pool has fewer live deposits', '3')
    .option('--precompute <n>', 'proofs kept ready ahead of calls', '4')
    .option('--low-tickets <n>', 'warn on stderr when this many tickets or fewer are left', '10')
    .option('--preverify', 'send each precomputed proof to the gateway ahead of its call, when it offers that')
    .option('--json', 'machine-readable JSON')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          rpc,
          gateway: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          keystore: z.string(),
          ticketsFile: z.string(),
          port,
          minAnonymity: z.coerce.number().int().min(0),
          precompute: z.coerce.number().int().min(0).max(256),
          lowTickets: z.coerce.number().int().min(0),
          preverify: z.boolean().optional(),
          json: z.boolean().optional(),
        }),
        raw,
        'pay proxy',
      )
      const identity = loadKeystore(resolve(options.keystore), secret('HERMIT_KEYSTORE_PASSWORD'))
      const publicClient = await chainClient(options.rpc)
      const warn = (m: string) => process.stderr.write(`hermit pay proxy: warning: ${m}\n`)
      const client = createZkPayClient({
        identity,
        tickets: TicketStore.open(resolve(options.ticketsFile)),
        publicClient,
        onWarning: warn,
        ...(options.preverify ? { preverify: true } : {}),
      })
      const proxy = createPayProxy({
        client,
        gateway: options.gateway,
        minAnonymitySet: options.minAnonymity,
        precompute: options.precompute,
        lowTickets: options.lowTickets,
        warn,
      })
      try {
        const stopped = untilSignal(out, 'proxy')
        const listening = await proxy.listen({ port: options.port })
        await proxy.start().catch(async (error: unknown) => {
          await listening.close()
          throw unreachable(error, options.gateway)
        })
        const s = await proxy.status()
        out.result(
          { url: listening.url, ...s },
          () =>
            `paying proxy on ${listening.url} → ${options.gateway}: point an OpenAI client at ${listening.url}/v1 or an Ollama client at ${listening.url}\n` +
            `${s.ticketsLeft} tickets left, ${s.proofsReady} proofs ready, anonymity set ${s.anonymitySet}; ` +
            `status at ${listening.url}/hermit/status\nrunning — press Ctrl-C to stop`,
        )
        await stopped
        await listening.close()
        // keep no proofs ready any more and let one being made finish: a proof started after
        // terminateProver() would build new prover workers, and those keep the process alive
        if (client.requirements()) await client.precompute(options.gateway, 0)
      } finally {
        await terminateProver()
      }
    })
}

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { zeroAddress } from 'viem'
import { z } from 'zod'
import { HermitError, shortMessageOf } from '@hermit/errors'
import { readDeployments } from '@hermit/devnet'
import { terminateProver } from '@hermit/circuits'
import {
  KeystoreError,
  TicketError,
  TicketStore,
  ZkIdentity,
  createZkPayClient,
  deployCreditPool,
  depositToPool,
  loadKeystore,
  prepareDeposit,
  saveKeystore,
  zkInfraFromDeployments,
} from '@hermit/zkpay'
import { parseArgs } from '../args.ts'
import { CliError, unreachableReason } from '../errors.ts'
import type { Output } from '../output.ts'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'
import { address, chainClient, paidBy, rpc, secret, wallet } from './chain.ts'
import { ETH, parseAmount, showAmount, tokenUnit } from '../amount.ts'
import { registerPayProxy } from './gateway.ts'
import { poolAt } from './pool.ts'

export function registerPay(program: Command, output: () => Output): void {
  const pay = program
    .command('pay')
    .description(
      'anonymous paid API calls: ZK identity, deposits into a CreditPool, paid fetch (secrets come from HERMIT_KEYSTORE_PASSWORD / HERMIT_PRIVATE_KEY)',
    )

  pay
    .command('init')
    .description('create a ZK identity in an encrypted keystore (password: $HERMIT_KEYSTORE_PASSWORD)')
    .requiredOption('-k, --keystore <file>', 'where to write it')
    .option('--json', 'machine-readable JSON')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({ keystore: z.string().min(1), json: z.boolean().optional() }),
        raw,
        'pay init',
      )
      const path = resolve(options.keystore)
      if (existsSync(path))
        throw new KeystoreError('ZKPAY_KEYSTORE_EXISTS', `${path} already exists.`, {
          hint: 'Never overwrite a keystore: its deposits would be lost. Pick another path.',
        })
      const identity = ZkIdentity.random()
      saveKeystore(path, identity, secret('HERMIT_KEYSTORE_PASSWORD'))
      out.result(
        { keystore: path, commitment: identity.commitment.toString() },
        () => `ZK identity written to ${path} (commitment ${identity.commitment.toString().slice(0, 16)}…)`,
      )
    })

  pay
    .command('open-pool')
    .description('deploy a CreditPool as its provider (wallet key: $HERMIT_PRIVATE_KEY)')
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
    .requiredOption(
      '--price <amount>',
      'price of one call (one ticket): "0.001 ETH" (or the --token symbol), or "1000000000000000 wei"',
    )
    .requiredOption('--stake <amount>', 'stake locked per deposit: "0.1 ETH", or "100000000000000000 wei"')
    .option('--token <address>', 'ERC-20 to pay in (default native ETH)')
    .option('-f, --deployments <file>', 'where the ZK libraries and verifiers are deployed', DEFAULT_DEPLOYMENTS_PATH)
    .option('--json', 'machine-readable JSON')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          rpc,
          price: z.string(),
          stake: z.string(),
          token: address.optional(),
          deployments: z.string(),
          json: z.boolean().optional(),
        }),
        raw,
        'pay open-pool',
      )
      const publicClient = await chainClient(options.rpc)
      const w = wallet(options.rpc, publicClient.chain.id)
      const unit = options.token ? await tokenUnit(publicClient, options.token) : ETH
      const price = parseAmount(options.price, unit, '--price', 'pay open-pool')
      const stake = parseAmount(options.stake, unit, '--stake', 'pay open-pool')
      const pool = await paidBy(publicClient, w.account.address, () =>
        deployCreditPool(publicClient, w, zkInfraFromDeployments(readDeployments(resolve(options.deployments))), {
          provider: w.account.address,
          price,
          stake,
          ...(options.token ? { token: options.token } : {}),
        }),
      )
      out.result(
        {
          pool,
          provider: w.account.address,
          price: price.toString(),
          stake: stake.toString(),
          token: options.token ?? zeroAddress,
          unit,
        },
        () =>
          `CreditPool ${pool} opened by ${w.account.address}: ${showAmount(price, unit)} per call, ${showAmount(stake, unit)} stake per deposit`,
      )
    })

  pay
    .command('deposit')
    .description('buy tickets: deposit the identity into a pool (wallet key: $HERMIT_PRIVATE_KEY)')
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain')
    .requiredOption('--pool <address>', 'the CreditPool')
    .requiredOption('-n, --tickets <count>', 'how many calls to buy')
    .requiredOption('-k, --keystore <file>', 'the ZK identity keystore')
    .requiredOption('-t, --tickets-file <file>', 'where the ticket state of this deposit is kept (never delete it)')
    .option('--json', 'machine-readable JSON')
    .action(async (raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          rpc,
          pool: address,
          tickets: z.coerce
            .number({ error: 'expected a number of tickets' })
            .int()
            .min(1)
            .max(2 ** 32 - 1),
          keystore: z.string(),
          ticketsFile: z.string(),
          json: z.boolean().optional(),
        }),
        raw,
        'pay deposit',
      )
      const ticketsPath = resolve(options.ticketsFile)
      if (existsSync(ticketsPath))
        throw new TicketError('ZKPAY_TICKETS_EXIST', `${ticketsPath} already exists.`, {
          hint: 'Each deposit gets its own ticket file; reusing one would reuse tickets.',
        })
      const identity = loadKeystore(resolve(options.keystore), secret('HERMIT_KEYSTORE_PASSWORD'))
      const publicClient = await chainClient(options.rpc)
      const pool = await poolAt(publicClient, options.pool)
      // each deposit has its own secret (derived from the identity and a nonce kept in the ticket file)
      const d = prepareDeposit(identity, BigInt(options.tickets))
      const payer = wallet(options.rpc, publicClient.chain.id)
      const { leafIndex } = await paidBy(publicClient, payer.account.address, () =>
        depositToPool(publicClient, payer, pool, d.leaf, BigInt(options.tickets)),
      )
      TicketStore.create(ticketsPath, {
        pool: pool.address,
        chainId: pool.chainId,
        leafIndex,
        tickets: options.tickets,
        secretNonce: d.secretNonce,
        leaf: d.leaf.toString(),
      })
      out.result(
        { pool: pool.address, leafIndex, tickets: options.tickets, ticketsFile: ticketsPath },
        () =>
          `deposited ${options.tickets} tickets into ${pool.address} (deposit #${leafIndex}); ticket state in ${ticketsPath}`,
      )
    })

  pay
    .command('fetch')
    .description('make a paid call: on HTTP 402 pay with one ZK ticket and retry')
    .argument('<url>', 'the paid endpoint')
    .requiredOption('--rpc <url>', 'JSON-RPC of the pool chain (to sync the deposit tree)')
    .requiredOption('-k, --keystore <file>', 'the ZK identity keystore')
    .requiredOption('-t, --tickets-file <file>', 'the deposit ticket state')
    .option('-X, --method <method>', 'HTTP method', 'GET')
    .option('-d, --data <body>', 'request body')
    .option('-H, --header <header...>', 'extra request headers, "Name: value"')
    .option('--min-anonymity <n>', 'refuse to pay while the pool has fewer live deposits', '0')
    .option('--json', 'machine-readable JSON')
    .action(async (url: string, raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          rpc,
          keystore: z.string(),
          ticketsFile: z.string(),
          method: z.string().regex(/^[A-Za-z]+$/),
          data: z.string().optional(),
          header: z.array(z.string().regex(/^[^:]+:.*$/, 'expected "Name: value"')).optional(),
          minAnonymity: z.coerce.number().int().min(0),
          json: z.boolean().optional(),
        }),
        raw,
        'pay fetch',
      )
      const target = rpc.safeParse(url)
      if (!target.success)
        throw new HermitError('CLI_BAD_ARGUMENT', `pay fetch: <url>: ${target.error.issues[0]?.message}`, {
          hint: 'The paid endpoint: an http(s) URL, e.g. http://127.0.0.1:8402/v1/chat/completions.',
        })
      const identity = loadKeystore(resolve(options.keystore), secret('HERMIT_KEYSTORE_PASSWORD'))
      const publicClient = await chainClient(options.rpc)
      const client = createZkPayClient({
        identity,
        tickets: TicketStore.open(resolve(options.ticketsFile)),
        publicClient,
        ...(options.minAnonymity > 0 ? { minAnonymitySet: options.minAnonymity, refuseSmallAnonymitySet: true } : {}),
        onWarning: (m) => out.info(`warning: ${m}`),
      })
      const headers: Record<string, string> = {}
      for (const h of options.header ?? []) {
        const i = h.indexOf(':')
        headers[h.slice(0, i).trim()] = h.slice(i + 1).trim()
      }
      try {
        const res = await client.fetch(url, {
          method: options.method.toUpperCase(),
          headers,
          ...(options.data !== undefined ? { body: options.data } : {}),
        })
        const body = await res.text()
        out.result(
          {
            status: res.status,
            payment: res.payment ?? null,
            ticket: res.ticket ?? null,
            remainingTickets: client.remainingTickets(),
            body,
          },
          () =>
            `${body}\n(HTTP ${res.status}${res.payment ? `, paid with ticket ${res.ticket}, ${client.remainingTickets()} left` : ''})`,
        )
      } catch (error) {
        throw fetchError(error, url)
      } finally {
        await terminateProver()
      }
    })

  registerPayProxy(pay, output)
}

/**
 * What `pay fetch` can fail on, said for its user: an endpoint that cannot be reached (fetch's bare
 * "fetch failed", or a socket error from the paying client's transport) is 69 with the host (hints in the CLI's terms: errors.ts withCliHint).
 */
function fetchError(error: unknown, url: string): unknown {
  const reason = unreachableReason(error)
  if (reason !== undefined)
    return new CliError('CLI_UNREACHABLE', `Cannot reach ${new URL(url).host}: ${shortMessageOf(reason)}`, {
      cause: error,
      hint: 'Is the paid endpoint running, and is the URL right?',
    })
  return error
}

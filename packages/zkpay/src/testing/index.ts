import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEther } from 'viem'
import type { Devnet } from '@hermit/devnet'
import { createZkPayClient, type ZkPayClient, type ZkPayClientOptions } from '../client.ts'
import { ZkIdentity } from '../identity.ts'
import {
  deployCreditPool,
  depositToPool,
  prepareDeposit,
  readPool,
  zkInfraFromDeployments,
  type PoolInfo,
} from '../pool.ts'
import { createZkPayGate, type GateEvent, type PaidHandler, type ZkPayGate, type ZkPayGateOptions } from '../server.ts'
import { SqliteNullifierStore } from '../store.ts'
import { TicketStore } from '../tickets.ts'
import { ProofVerifierPool } from '../verifier.ts'
import { loadVerificationKey } from '@hermit/circuits'

/** A pool on the devnet with the provider as dev account `providerIndex`. */
export async function devnetPool(
  devnet: Devnet,
  options: { providerIndex?: number; price?: bigint; stake?: bigint; rootWindow?: bigint; exitDelay?: bigint } = {},
): Promise<{ pool: PoolInfo; fromBlock: bigint }> {
  const provider = devnet.accounts[options.providerIndex ?? 5]!
  const fromBlock = await devnet.publicClient.getBlockNumber()
  const address = await deployCreditPool(
    devnet.publicClient,
    devnet.walletFor(provider),
    zkInfraFromDeployments(devnet.deployments),
    {
      provider: provider.address,
      price: options.price ?? parseEther('0.001'),
      stake: options.stake ?? parseEther('0.1'),
      ...(options.rootWindow === undefined ? {} : { rootWindow: options.rootWindow }),
      ...(options.exitDelay === undefined ? {} : { exitDelay: options.exitDelay }),
    },
  )
  return { pool: await readPool(devnet.publicClient, address), fromBlock }
}

export type Depositor = { identity: ZkIdentity; tickets: TicketStore; leafIndex: number; secret: bigint }

/** A depositor: a fresh identity, `tickets` bought from dev account `index`, a ticket file in `dir`. */
export async function devnetDepositor(
  devnet: Devnet,
  pool: PoolInfo,
  index: number,
  tickets: bigint,
  dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-')),
): Promise<Depositor> {
  const identity = ZkIdentity.random()
  const d = prepareDeposit(identity, tickets)
  const { leafIndex } = await depositToPool(
    devnet.publicClient,
    devnet.walletFor(devnet.accounts[index]!),
    pool,
    d.leaf,
    tickets,
  )
  const store = TicketStore.create(
    join(dir, `tickets-${pool.address}-${leafIndex}-${identity.commitment.toString().slice(0, 16)}.json`),
    { pool: pool.address, chainId: pool.chainId, leafIndex, tickets: Number(tickets), secretNonce: d.secretNonce },
  )
  return { identity, tickets: store, leafIndex, secret: d.secret }
}

/** What a test passes to a depositor's client besides its identity, tickets and the devnet's public client. */
export type ClientExtra = Omit<ZkPayClientOptions, 'identity' | 'tickets' | 'publicClient'>

/** The zk-rln client of `holder` (a depositor, or an identity with another ticket file) on the devnet's public client. */
export function zkPayClientFor(
  devnet: Devnet,
  holder: Pick<Depositor, 'identity' | 'tickets'>,
  options: ClientExtra = {},
): ZkPayClient {
  return createZkPayClient({
    identity: holder.identity,
    tickets: holder.tickets,
    publicClient: devnet.publicClient,
    ...options,
  })
}

/** A fresh depositor (as `devnetDepositor` makes it) and its client (as `zkPayClientFor`, with `options`). */
export async function devnetClient(
  devnet: Devnet,
  pool: PoolInfo,
  index: number,
  tickets: bigint,
  dir: string,
  options: ClientExtra = {},
): Promise<{ client: ZkPayClient; depositor: Depositor }> {
  const depositor = await devnetDepositor(devnet, pool, index, tickets, dir)
  return { client: zkPayClientFor(devnet, depositor, options), depositor }
}

export type DevnetGate = {
  gate: ZkPayGate
  /** Everything the gate reported, in order. */
  events: GateEvent[]
  /** The first event (reported already, or to come) that `match` accepts: waits on the gate, not on time. */
  nextEvent(match: (e: GateEvent) => boolean): Promise<GateEvent>
  store: SqliteNullifierStore
  verifier: ProofVerifierPool
  close(): Promise<void>
}

export type DevnetGateOptions = {
  /** Where the nullifiers are kept (SQLite). */
  dbPath: string
  /** The dev account that signs slash() on a double-spend (default 5); `null`: the cheat is only refused. */
  slasherIndex?: number | null
  fromBlock?: bigint
  /** Proof verifier worker threads (default 2). */
  workers?: number
  preverify?: ZkPayGateOptions['preverify']
  rootCacheMs?: number
  /** Any other gate option (the queue bound, the root recheck, the clock, …), passed as given. */
  gate?: Partial<Omit<ZkPayGateOptions, 'publicClient' | 'pool' | 'store' | 'verifier' | 'slasher' | 'onEvent'>>
  /** The password the store seals double-spend secrets with (default: a fixed test one, low scrypt cost). */
  secretsPassword?: string
}

/** The zk-rln gate over `pool`: nullifiers in SQLite at `dbPath`, proofs verified in worker threads. */
export function devnetGate(devnet: Devnet, pool: PoolInfo, options: DevnetGateOptions): DevnetGate {
  const store = SqliteNullifierStore.open(options.dbPath, {
    secretsPassword: options.secretsPassword ?? 'devnet test password',
    scryptN: 1024,
  })
  const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: options.workers ?? 2 })
  const events: GateEvent[] = []
  const waiters = new Set<{ match: (e: GateEvent) => boolean; resolve: (e: GateEvent) => void }>()
  const slasherIndex = options.slasherIndex === undefined ? 5 : options.slasherIndex
  const gateOptions: ZkPayGateOptions = {
    publicClient: devnet.publicClient,
    pool,
    store,
    verifier,
    ...(slasherIndex === null ? {} : { slasher: devnet.walletFor(devnet.accounts[slasherIndex]!) }),
    ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
    ...(options.preverify ? { preverify: options.preverify } : {}),
    ...(options.rootCacheMs === undefined ? {} : { rootCacheMs: options.rootCacheMs }),
    ...options.gate,
    onEvent: (e) => {
      events.push(e)
      for (const w of [...waiters]) if (w.match(e)) waiters.delete(w), w.resolve(e)
    },
  }
  return {
    gate: createZkPayGate(gateOptions),
    events,
    nextEvent: (match) =>
      new Promise((resolve) => {
        const seen = events.find(match)
        if (seen) resolve(seen)
        else waiters.add({ match, resolve })
      }),
    store,
    verifier,
    close: async () => {
      await verifier.close()
      await store.close()
    },
  }
}

export type DevnetZkPay = DevnetGate & {
  pool: PoolInfo
  /** The block the pool was deployed at (for event scans). */
  fromBlock: bigint
  /** A fresh identity buys `tickets` calls from dev account `index`; its ticket file goes in `dir`. */
  deposit(index: number, tickets: bigint): Promise<Depositor>
}

/**
 * A provider's whole zk-rln setup on the devnet, as the examples use it: a CreditPool opened by dev
 * account `providerIndex`, the gate over it (nullifiers in SQLite in `dir`, proofs verified in
 * worker threads, a double-spend slashed by the provider unless `slash: false`), and depositors.
 */
export async function devnetZkPay(
  devnet: Devnet,
  options: {
    dir: string
    providerIndex?: number
    price?: bigint
    stake?: bigint
    slash?: boolean
    workers?: number
    /** Any other gate option, passed as given. */
    gate?: DevnetGateOptions['gate']
  },
): Promise<DevnetZkPay> {
  const providerIndex = options.providerIndex ?? 5
  const { pool, fromBlock } = await devnetPool(devnet, {
    providerIndex,
    ...(options.price === undefined ? {} : { price: options.price }),
    ...(options.stake === undefined ? {} : { stake: options.stake }),
  })
  const gate = devnetGate(devnet, pool, {
    dbPath: join(options.dir, 'nullifiers.sqlite'),
    slasherIndex: options.slash === false ? null : providerIndex,
    fromBlock,
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.gate === undefined ? {} : { gate: options.gate }),
  })
  return {
    ...gate,
    pool,
    fromBlock,
    deposit: (index, tickets) => devnetDepositor(devnet, pool, index, tickets, options.dir),
  }
}

export type PaidServer = DevnetGate & { url: string }

/** An HTTP server behind the zk-rln gate, with its nullifiers in SQLite at `dbPath`. */
export async function startPaidServer(
  devnet: Devnet,
  pool: PoolInfo,
  options: DevnetGateOptions & { handler: PaidHandler; port?: number },
): Promise<PaidServer> {
  const paid = devnetGate(devnet, pool, options)
  const server: Server = createServer((req, res) => void paid.gate.handle(req, res, options.handler))
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r))
  return {
    ...paid,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await paid.close()
    },
  }
}

export { startPostgres, findPostgresBin, type PostgresServer } from './postgres.ts'
/** A script running one gate in a process of its own (see its header for the arguments), for tests and benches. */
export const gateProcessScript: string = fileURLToPath(new URL('./gate-process.ts', import.meta.url))

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, type Address } from 'viem'
import type { Devnet } from '@hermit/devnet'
import { ZkIdentity } from '../identity.ts'
import {
  deployCreditPool,
  depositToPool,
  prepareDeposit,
  readPool,
  zkInfraFromDeployments,
  type PoolInfo,
} from '../pool.ts'
import { createZkPayGate, type GateEvent, type PaidHandler, type ZkPayGate } from '../server.ts'
import { SqliteNullifierStore } from '../store.ts'
import { TicketStore } from '../tickets.ts'
import { ProofVerifierPool } from '../verifier.ts'
import { loadVerificationKey } from '@hermit/circuits'

/** A pool on the devnet with the provider as dev account `providerIndex`. */
export async function devnetPool(
  devnet: Devnet,
  o: { providerIndex?: number; price?: bigint; stake?: bigint } = {},
): Promise<{ pool: PoolInfo; fromBlock: bigint }> {
  const provider = devnet.accounts[o.providerIndex ?? 5]!
  const fromBlock = await devnet.publicClient.getBlockNumber()
  const address = await deployCreditPool(
    devnet.publicClient,
    devnet.walletFor(provider),
    zkInfraFromDeployments(devnet.deployments),
    {
      provider: provider.address,
      price: o.price ?? parseEther('0.001'),
      stake: o.stake ?? parseEther('0.1'),
    },
  )
  return { pool: await readPool(devnet.publicClient, address), fromBlock }
}

/** A depositor: a fresh identity, `tickets` bought from dev account `index`, a ticket file. */
export async function devnetDepositor(
  devnet: Devnet,
  pool: PoolInfo,
  index: number,
  tickets: bigint,
  dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-')),
) {
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

export type PaidServer = {
  url: string
  gate: ZkPayGate
  events: GateEvent[]
  store: SqliteNullifierStore
  verifier: ProofVerifierPool
  close(): Promise<void>
}

/** An HTTP server behind the zk-rln gate, with its nullifiers in SQLite at `dbPath`. */
export async function startPaidServer(
  devnet: Devnet,
  pool: PoolInfo,
  o: {
    dbPath: string
    handler: PaidHandler
    slasherIndex?: number
    fromBlock?: bigint
    workers?: number
    port?: number
    preverify?: boolean
  },
): Promise<PaidServer> {
  const store = SqliteNullifierStore.open(o.dbPath)
  const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: o.workers ?? 2 })
  const events: GateEvent[] = []
  const gate = createZkPayGate({
    publicClient: devnet.publicClient,
    pool,
    store,
    verifier,
    slasher: devnet.walletFor(devnet.accounts[o.slasherIndex ?? 5]!),
    ...(o.fromBlock === undefined ? {} : { fromBlock: o.fromBlock }),
    ...(o.preverify ? { preverify: true } : {}),
    onEvent: (e) => events.push(e),
  })
  const server: Server = createServer((req, res) => void gate.handle(req, res, o.handler))
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gate,
    events,
    store,
    verifier,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await verifier.close()
      await store.close()
    },
  }
}

export type { Address }

/**
 * The whole path on the devnet, for tests, the example and the bench: a CreditPool, the scripted
 * model server (a test double, no model runs), a gateway in front of it, depositors, and a paying
 * proxy for the first one. Everything the gateway receives is recorded (headers included).
 */
import type { IncomingHttpHeaders } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startScriptedModelServer, type Script, type ScriptedModelServer } from '@hermit/llm/testing'
import { loadVerificationKey } from '@hermit/circuits'
import { ProofVerifierPool, SqliteNullifierStore, type GateEvent, type PoolInfo } from '@hermit/zkpay'
import { devnetDepositor, devnetPool, zkPayClientFor, type Depositor } from '@hermit/zkpay/testing'
import { createGateway, type Gateway } from '../gateway.ts'
import { createPayProxy, type PayProxy } from '../proxy.ts'

type Devnet = Parameters<typeof devnetPool>[0]

export type GatewayStack = {
  pool: PoolInfo
  fromBlock: bigint
  model: ScriptedModelServer
  gateway: Gateway
  gatewayUrl: string
  /** Headers of every request that reached the gateway, in order. */
  seen: IncomingHttpHeaders[]
  events: GateEvent[]
  store: SqliteNullifierStore
  user: Depositor
  proxy: PayProxy
  proxyUrl: string
  /** What the proxy warned about (stderr in the CLI). */
  warnings: string[]
  close(): Promise<void>
}

export async function devnetGatewayStack(
  devnet: Devnet,
  options: {
    /** Tickets the user buys (dev account 1). */
    tickets: bigint
    tokensPerTicket: number
    script?: Script
    /** Proofs the proxy keeps ready (default 2). */
    precompute?: number
    /** Other depositors (dev accounts 3, 4, …) for the anonymity set (default 2). */
    others?: number
    minAnonymitySet?: number
    lowTickets?: number
    dir?: string
    /** Proof verifier threads, as `hermit gateway --workers` (default 1); 0 verifies on the gateway's own thread (snarkjs). */
    workers?: number
    /** The gateway takes proofs ahead of their calls and the proxy sends them (`--preverify` on both). */
    preverify?: boolean
  },
): Promise<GatewayStack> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'hermit-gateway-'))
  const { pool, fromBlock } = await devnetPool(devnet, { providerIndex: 5 })
  const model = await startScriptedModelServer({ ...(options.script ? { script: options.script } : {}) })
  const store = SqliteNullifierStore.open(join(dir, 'nullifiers.sqlite'), {
    secretsPassword: 'devnet test password',
    scryptN: 1024,
  })
  const events: GateEvent[] = []
  const workers = options.workers ?? 1
  const verifier = workers > 0 ? new ProofVerifierPool(loadVerificationKey('credit'), { workers }) : undefined
  const gateway = createGateway({
    ...(verifier ? { verifier } : {}),
    publicClient: devnet.publicClient,
    pool,
    fromBlock,
    upstream: model.url,
    store,
    slasher: devnet.walletFor(devnet.accounts[5]!),
    tokensPerTicket: options.tokensPerTicket,
    ...(options.preverify ? { gate: { preverify: true } } : {}),
    onEvent: (e) => events.push(e),
  })
  const seen: IncomingHttpHeaders[] = []
  const listening = await gateway.listen({ onRequest: (req) => seen.push({ ...req.headers }) })
  const user = await devnetDepositor(devnet, pool, 1, options.tickets, dir)
  for (let i = 0; i < (options.others ?? 2); i++) await devnetDepositor(devnet, pool, 3 + i, 1n, dir)
  const warnings: string[] = []
  const proxy = createPayProxy({
    client: zkPayClientFor(devnet, user, { fromBlock, ...(options.preverify ? { preverify: true } : {}) }),
    gateway: listening.url,
    precompute: options.precompute ?? 2,
    ...(options.minAnonymitySet === undefined ? {} : { minAnonymitySet: options.minAnonymitySet }),
    ...(options.lowTickets === undefined ? {} : { lowTickets: options.lowTickets }),
    warn: (m) => warnings.push(m),
  })
  await proxy.start()
  const proxyListening = await proxy.listen({ port: 0 })
  return {
    pool,
    fromBlock,
    model,
    gateway,
    gatewayUrl: listening.url,
    seen,
    events,
    store,
    user,
    proxy,
    proxyUrl: proxyListening.url,
    warnings,
    close: async () => {
      await proxyListening.close()
      await listening.close()
      await model.close()
      await store.close()
      await verifier?.close()
    },
  }
}

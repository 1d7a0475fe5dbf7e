import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Account,
  type Chain,
  type HDAccount,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { HDKey, hdKeyToAccount } from 'viem/accounts'
import { mnemonicToSeedSync } from '@scure/bip39'
import { startAnvil, type AnvilExit, type AnvilOptions, type AnvilProcess } from './anvil.ts'
import { deployPlan, hermitDeployPlan, type DeployStep } from './deploy.ts'
import type { Deployments } from './deployments.ts'
import { DevnetError } from './errors.ts'
import { anvilExitedError, devnetTransport } from './transport.ts'
import { deployDefiWorld } from './defi/world.ts'

/** Anvil's well-known development mnemonic: its keys are public, never use them for real funds. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

export type DevnetOptions = AnvilOptions & {
  /** Deploy Hermit's contracts after start (default true). */
  deploy?: boolean
  plan?: readonly DeployStep[]
  /**
   * 'hermit' (default): Hermit's contracts only, fast. 'defi': those plus Uniswap V2/V3 and Safe from
   * their official npm artifacts, seeded with dev tokens, liquidity and a Safe owned by account 0
   * (see `defiWorld`); opt-in, as it takes longer to start.
   */
  world?: DevnetWorld
}

export type DevnetWorld = 'hermit' | 'defi'

export type DevnetClients = {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  /** Signs with dev account 0 (the deployer). */
  walletClient: WalletClient<Transport, Chain, Account>
  testClient: TestClient<'anvil', Transport, Chain>
}

export type Devnet = DevnetClients & {
  rpcUrl: string
  chainId: number
  pid: number
  /** Resolves when anvil has exited, by `stop()` or on its own. */
  exited: Promise<void>
  /** How anvil ended, once it has (undefined while it runs). */
  readonly exit: AnvilExit | undefined
  /** Local dev accounts derived from the mnemonic (index 0 deploys). */
  accounts: HDAccount[]
  deployments: Deployments
  /** A wallet client that signs as `account`. */
  walletFor(account: Account): WalletClient<Transport, Chain, Account>
  snapshot(): Promise<`0x${string}`>
  revert(id: `0x${string}`): Promise<void>
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export function devnetChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `Hermit devnet ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** Clients for an RPC URL, e.g. a devnet started elsewhere (`pnpm devnet`). */
export function createDevnetClients(rpcUrl: string, chainId: number, account: Account): DevnetClients {
  return clientsOver(devnetTransport(rpcUrl), rpcUrl, chainId, account)
}

function clientsOver(transport: Transport, rpcUrl: string, chainId: number, account: Account): DevnetClients {
  const chain = devnetChain(chainId, rpcUrl)
  return {
    chain,
    // cacheTime 0: a devnet mines a block per transaction and reverts snapshots, so a cached head is wrong at once
    publicClient: createPublicClient({ chain, transport, pollingInterval: 10, cacheTime: 0 }),
    walletClient: createWalletClient({ chain, transport, account, pollingInterval: 10 }),
    testClient: createTestClient({ chain, transport, mode: 'anvil', pollingInterval: 10 }),
  }
}

const seeds = new Map<string, HDKey>()

/** The accounts anvil funds for `mnemonic` (BIP-44 m/44'/60'/0'/0/i); the seed is derived once. */
export function devAccounts(mnemonic: string, count: number): HDAccount[] {
  let root = seeds.get(mnemonic)
  if (!root) {
    root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic))
    seeds.set(mnemonic, root)
  }
  return Array.from({ length: count }, (_, i) => hdKeyToAccount(root, { addressIndex: i }))
}

/**
 * Starts a real anvil on a free port, deploys every Hermit contract and hands out typed clients.
 * Always `stop()` it (or use `withDevnet`, or `await using`): the process is also ended when this
 * one exits, however it exits.
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const { deploy = true, plan = hermitDeployPlan, world = 'hermit', ...anvilOptions } = options
  if (world === 'defi' && !deploy) {
    throw new DevnetError(
      'DEVNET_BAD_OPTIONS',
      "The 'defi' world deploys contracts: it cannot start with deploy: false.",
      {
        hint: "Drop `deploy: false` (or --no-deploy), or start the default 'hermit' world.",
        details: { world },
      },
    )
  }
  const anvil: AnvilProcess = await startAnvil(anvilOptions)
  try {
    const mnemonic = anvilOptions.mnemonic ?? ANVIL_MNEMONIC
    const count = anvilOptions.accounts ?? 10
    const accounts = devAccounts(mnemonic, count)
    // one transport for every client of this anvil: a call after anvil is gone says how it ended
    const transport = devnetTransport(anvil.rpcUrl, anvil)
    const chainId = await createPublicClient({ transport }).getChainId()
    const clients = clientsOver(transport, anvil.rpcUrl, chainId, accounts[0]!)
    // anvil dying while it is set up ends the start at once: a receipt wait would poll it for minutes
    const died = anvil.exited.then(() => Promise.reject(anvilExitedError(anvil.exit!)))
    died.catch(() => {})
    const untilDied = <T>(work: Promise<T>) => Promise.race([work, died])
    const contracts = deploy ? await untilDied(deployPlan(clients.publicClient, clients.walletClient, plan)) : {}
    const defi =
      world === 'defi' ? await untilDied(deployDefiWorld(clients, { safeOwners: [accounts[0]!.address] })) : undefined
    const deployments: Deployments = {
      schema: 'hermit-deployments/v1',
      chainId,
      rpcUrl: anvil.rpcUrl,
      ...(anvilOptions.fork
        ? {
            fork: {
              url: anvilOptions.fork.url,
              ...(anvilOptions.fork.blockNumber === undefined
                ? {}
                : { blockNumber: BigInt(anvilOptions.fork.blockNumber) }),
            },
          }
        : {}),
      accounts: accounts.map((a) => a.address),
      contracts: { ...contracts, ...defi?.contracts },
      ...(defi ? { world, defi: defi.defi } : {}),
    }
    const stop = () => anvil.stop()
    return {
      ...clients,
      rpcUrl: anvil.rpcUrl,
      chainId,
      pid: anvil.pid,
      exited: anvil.exited,
      get exit() {
        return anvil.exit
      },
      accounts,
      deployments,
      walletFor: (account) =>
        createWalletClient({
          chain: clients.chain,
          transport,
          account,
          pollingInterval: 10,
        }),
      snapshot: () => clients.testClient.snapshot(),
      revert: async (id) => {
        await clients.testClient.revert({ id })
      },
      stop,
      [Symbol.asyncDispose]: stop,
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/** Runs `fn` with a fresh devnet and stops it afterwards, also when `fn` throws. */
export async function withDevnet<T>(options: DevnetOptions, fn: (devnet: Devnet) => Promise<T>): Promise<T> {
  const devnet = await startDevnet(options)
  try {
    return await fn(devnet)
  } finally {
    await devnet.stop()
  }
}

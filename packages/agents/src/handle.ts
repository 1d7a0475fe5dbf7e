// The escrow handle every call takes: clients, addresses, and the values fixed at deployment.
import { erc20Abi, type Address } from 'viem'
import { agenticCommerceAbi, hermitJobHookAbi } from '@hermit/contracts'
import { readContract, type Reader, type Wallet } from '@hermit/chain'
import { AgentError } from './errors.ts'

/** What an amount of a token is counted in: `5000000` with `{ symbol: 'dUSD', decimals: 6 }` is 5 dUSD. */
export type TokenUnit = { symbol: string; decimals: number }

/**
 * Values fixed when the escrow and its hook were deployed (payment token, bond rate, review
 * window), each read at most once per escrow handle. A failed read is retried on the next call.
 */
export class EscrowConstants {
  private readonly reads = new Map<string, Promise<unknown>>()

  constructor(
    private readonly publicClient: Reader,
    private readonly escrow: Address,
    private readonly hook: Address,
  ) {}

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let hit = this.reads.get(key) as Promise<T> | undefined
    if (!hit) {
      hit = read()
      hit.catch(() => this.reads.delete(key))
      this.reads.set(key, hit)
    }
    return hit
  }

  /** The ERC-20 the escrow takes budgets in (and the hook takes bonds in). */
  paymentToken(): Promise<Address> {
    return this.once('token', () =>
      readContract(this.publicClient, { address: this.escrow, abi: agenticCommerceAbi, functionName: 'paymentToken' }),
    )
  }

  /** The unit budgets are counted in: the payment token's symbol and decimals. */
  paymentUnit(): Promise<TokenUnit> {
    return this.once('unit', async () => {
      const token = await this.paymentToken()
      const [symbol, decimals] = await Promise.all([
        readContract(this.publicClient, { address: token, abi: erc20Abi, functionName: 'symbol' }),
        readContract(this.publicClient, { address: token, abi: erc20Abi, functionName: 'decimals' }),
      ])
      return { symbol, decimals }
    })
  }

  /** The provider's bond, in basis points of the budget. */
  bondBps(): Promise<bigint> {
    return this.once('bondBps', () =>
      readContract(this.publicClient, { address: this.hook, abi: hermitJobHookAbi, functionName: 'bondBps' }),
    )
  }

  /** How long before the expiry a delivery must be made for its bond to go back to the provider. */
  async reviewSeconds(): Promise<bigint> {
    const review = await this.once('review', () =>
      readContract(this.publicClient, { address: this.hook, abi: hermitJobHookAbi, functionName: 'reviewSeconds' }),
    )
    return BigInt(review)
  }
}

/** One escrow (and the job hook its jobs use), one chain; a wallet only for writes. */
export type Escrow = {
  publicClient: Reader
  walletClient?: Wallet
  address: Address
  /** Hermit's job hook (bond, reputation, validation), or the zero address for none. */
  hook: Address
  /** Block the escrow was deployed at, for event scans. */
  fromBlock?: bigint
  /** Read once per handle; shared by the copies `withWallet` makes (same contracts). */
  readonly constants: EscrowConstants
}

export function escrowFromDeployments(
  deployments: { contracts: Record<string, { address: Address; blockNumber: bigint }> },
  clients: { publicClient: Reader; walletClient?: Wallet },
): Escrow {
  const acp = deployments.contracts.AgenticCommerce
  const hook = deployments.contracts.HermitJobHook
  if (!acp || !hook)
    throw new AgentError('AGENTS_NO_ESCROW', 'The deployments have no AgenticCommerce / HermitJobHook.', {
      hint: 'Redeploy with the current @hermit/devnet plan.',
    })
  return {
    ...clients,
    address: acp.address,
    hook: hook.address,
    fromBlock: acp.blockNumber,
    constants: new EscrowConstants(clients.publicClient, acp.address, hook.address),
  }
}

/** The same escrow, signing as `walletClient`. */
export function withWallet(escrow: Escrow, walletClient: Wallet): Escrow {
  return { ...escrow, walletClient }
}

/** The chain's clock (the latest block's timestamp): expiry is decided by it, not by this machine's. */
export async function chainTime(escrow: Pick<Escrow, 'publicClient'>): Promise<bigint> {
  return (await escrow.publicClient.getBlock({ blockTag: 'latest' })).timestamp
}

import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { Erc8004Error, RegistryRevertError } from './errors.ts'
import type { UriOptions } from './uri.ts'

export type Registries = { identity: Address; reputation: Address; validation?: Address }

/** One chain, one set of registries; a wallet only for writes. */
export type Erc8004Client = {
  publicClient: PublicClient<Transport, Chain>
  walletClient?: WalletClient<Transport, Chain, Account>
  registries: Registries
  /** How agentURI / feedbackURI are fetched (gateway, size limit, timeout). */
  uri?: UriOptions
}

/** The official ERC-8004 v2 deployments (identity + reputation share one address on each network family). */
const MAINNET: Registries = {
  identity: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
  reputation: '0x8004BAa17C55a88189AE136b182e5fdA19dE9b63',
}
const TESTNET: Registries = {
  identity: '0x8004A818BFB912233c491871b3d84c89A494BD9e',
  reputation: '0x8004B663056A597Dffe9eCcC1965A193B7388713',
}
export const KNOWN_REGISTRIES: Readonly<Record<number, Registries>> = {
  1: MAINNET, // Ethereum
  8453: MAINNET, // Base
  11155111: TESTNET, // Sepolia
  84532: TESTNET, // Base Sepolia
}

/** Registries from a Hermit deployments file (`pnpm devnet`) or the devnet's `deployments`. */
export function registriesFromDeployments(d: { contracts: Record<string, { address: Address }> }): Registries {
  const get = (name: string) => {
    const c = d.contracts[name]
    if (!c)
      throw new Erc8004Error('ERC8004_NOT_DEPLOYED', `${name} is not in the deployments.`, {
        hint: 'Start the devnet with `pnpm devnet` (it deploys the ERC-8004 registries).',
      })
    return getAddress(c.address)
  }
  return {
    identity: get('IdentityRegistry'),
    reputation: get('ReputationRegistry'),
    validation: get('ValidationRegistry'),
  }
}

export function requireWallet(c: Erc8004Client): WalletClient<Transport, Chain, Account> {
  if (!c.walletClient)
    throw new Erc8004Error('ERC8004_NO_WALLET', 'This action writes to the chain and needs a walletClient.', {
      hint: 'Pass walletClient (with an account) in the Erc8004Client.',
    })
  return c.walletClient
}

export function requireValidation(c: Erc8004Client): Address {
  if (!c.registries.validation)
    throw new Erc8004Error('ERC8004_NO_VALIDATION', 'No validation registry is configured.', {
      hint: 'Set registries.validation.',
    })
  return c.registries.validation
}

/** The registry's revert reason ("Not authorized", "ERC721NonexistentToken", …) out of a viem error. */
export function revertReason(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined
  return revert.reason ?? revert.data?.errorName ?? revert.signature
}

/** Simulates (for a clear revert reason), sends, and waits for the receipt. */
export async function send(
  c: Erc8004Client,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<TransactionReceipt> {
  const wallet = requireWallet(c)
  let hash: `0x${string}`
  try {
    const { request } = await c.publicClient.simulateContract({ ...call, account: wallet.account } as never)
    hash = await wallet.writeContract(request as never)
  } catch (cause) {
    const reason = revertReason(cause)
    if (reason) {
      throw new RegistryRevertError('REGISTRY_REVERTED', `${call.functionName} reverted: ${reason}`, {
        details: { functionName: call.functionName, reason },
        cause,
      })
    }
    throw new Erc8004Error(
      'ERC8004_TX_FAILED',
      `${call.functionName} could not be sent: ${(cause as Error)?.message?.split('\n')[0]}`,
      { cause },
    )
  }
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success')
    throw new RegistryRevertError('REGISTRY_REVERTED', `${call.functionName} reverted on-chain (${hash}).`, {
      details: { hash },
    })
  return receipt
}

/** Runs a read, turning a revert into a RegistryRevertError with the reason. */
export async function read<T>(functionName: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    const reason = revertReason(cause)
    if (reason)
      throw new RegistryRevertError('REGISTRY_REVERTED', `${functionName} reverted: ${reason}`, {
        details: { functionName, reason },
        cause,
      })
    throw cause
  }
}

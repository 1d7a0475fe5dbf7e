import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractConstructorArgs,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type ReadContractParameters,
  type ReadContractReturnType,
  type SimulateContractParameters,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  type WriteContractParameters,
} from 'viem'
import { shortMessageOf } from '@hermit/errors'
import { ChainError, ContractRevertError } from './errors.ts'

export type Wallet = WalletClient<Transport, Chain, Account>
export type Reader = PublicClient<Transport, Chain>

/** What a write needs: a client to simulate and wait with, and the wallet that signs. */
export type WriteClients = { publicClient: Reader; walletClient?: Wallet | undefined }

/** The wallet of a handle, or a typed error that says the action needs one. */
export function requireWallet(clients: { walletClient?: Wallet | undefined }): Wallet {
  if (!clients.walletClient) {
    throw new ChainError('CHAIN_NO_WALLET', 'This action writes to the chain and needs a wallet.', {
      hint: 'Pass a walletClient with an account.',
    })
  }
  return clients.walletClient
}

/** The contract's revert reason ("Not authorized", "PastExpiry", …) out of a viem error, if it has one. */
export function revertReason(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined
  return revert.reason ?? revert.data?.errorName ?? revert.signature
}

export type WriteCall<
  abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
  args extends ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>,
> = {
  address: Address
  abi: abi
  functionName: functionName
  args: args
  value?: bigint
}

/**
 * Simulates, writes, waits for the receipt, and turns a revert into a ContractRevertError.
 * Simulating first is what gives the contract's own reason: a transaction that reverts on-chain
 * only says "reverted". Inferred from the ABI like viem's `writeContract`.
 */
export async function writeAndWait<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
  const args extends ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>,
>(clients: WriteClients, call: WriteCall<abi, functionName, args>): Promise<TransactionReceipt> {
  const wallet = requireWallet(clients)
  const name = String(call.functionName)
  let hash: Hex
  try {
    const simulation = { ...call, account: wallet.account } as SimulateContractParameters<
      abi,
      functionName,
      args,
      Chain,
      Chain,
      Account
    >
    const { request } = await clients.publicClient.simulateContract(simulation)
    // viem's simulate → write hand-off only type-checks for a concrete ABI; over a generic one the
    // request is the same object, so it is named as the parameters of this very call.
    hash = await wallet.writeContract(request as WriteContractParameters<abi, functionName, args, Chain, Account>)
  } catch (cause) {
    const reason = revertReason(cause)
    if (reason !== undefined) throw new ContractRevertError(name, reason, { cause })
    throw new ChainError('CHAIN_TX_FAILED', `${name} could not be sent: ${shortMessageOf(cause)}`, {
      cause,
      details: { functionName: name },
    })
  }
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new ContractRevertError(name, undefined, { hash })
  return receipt
}

/** Deploys a contract and waits for it; returns its address and the receipt. */
export async function deployAndWait<const abi extends Abi | readonly unknown[]>(
  clients: WriteClients,
  deploy: { abi: abi; bytecode: Hex; args: ContractConstructorArgs<abi>; name: string },
): Promise<{ address: Address; receipt: TransactionReceipt }> {
  const wallet = requireWallet(clients)
  let hash: Hex
  try {
    hash = await wallet.deployContract({ abi: deploy.abi, bytecode: deploy.bytecode, args: deploy.args } as Parameters<
      Wallet['deployContract']
    >[0])
  } catch (cause) {
    throw new ChainError('CHAIN_DEPLOY_FAILED', `${deploy.name} could not be deployed: ${shortMessageOf(cause)}`, {
      cause,
    })
  }
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new ChainError('CHAIN_DEPLOY_FAILED', `${deploy.name} deployment reverted (${hash}).`, { details: { hash } })
  }
  return { address: getAddress(receipt.contractAddress), receipt }
}

/** A contract read whose revert becomes a ContractRevertError with the contract's reason. */
export async function readContract<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, 'pure' | 'view'>,
  const args extends ContractFunctionArgs<abi, 'pure' | 'view', functionName>,
>(
  publicClient: Reader,
  params: ReadContractParameters<abi, functionName, args>,
): Promise<ReadContractReturnType<abi, functionName, args>> {
  try {
    return await publicClient.readContract(params)
  } catch (cause) {
    const reason = revertReason(cause)
    if (reason !== undefined) throw new ContractRevertError(String(params.functionName), reason, { cause })
    throw cause
  }
}

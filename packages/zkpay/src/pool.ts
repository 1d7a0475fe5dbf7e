import {
  getAddress,
  parseEventLogs,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import {
  creditPoolAbi,
  creditPoolBytecode,
  creditPoolLinkReferences,
  devTokenAbi,
  linkBytecode,
} from '@hermit/contracts'
import { creditLeaf, randomFieldElement } from '@hermit/circuits'
import { ZkPayError } from './errors.ts'

type Wallet = WalletClient<Transport, Chain, Account>
type Public = PublicClient<Transport, Chain>

export type PoolConfig = {
  /** Payment token, or omitted / zero for native ETH. */
  token?: Address
  provider: Address
  /** Per ticket (one call), in base units. */
  price: bigint
  /** Locked per deposit, lost to the provider on a double-spend. */
  stake: bigint
  /** Seconds an older root stays accepted (default 10 min). */
  rootWindow?: bigint
  /** Seconds between requestExit and finalizeExit; must exceed rootWindow (default 1 h). */
  exitDelay?: bigint
}

/** Libraries and verifiers a pool links to (from the devnet deployments or any chain's). */
export type ZkInfra = { PoseidonT2: Address; PoseidonT3: Address; CreditVerifier: Address; ExitVerifier: Address }

export function zkInfraFromDeployments(d: { contracts: Record<string, { address: Address }> }): ZkInfra {
  const get = (n: keyof ZkInfra) => {
    const c = d.contracts[n]
    if (!c)
      throw new ZkPayError('ZKPAY_NOT_DEPLOYED', `${n} is not in the deployments.`, {
        hint: 'Use a devnet from `pnpm devnet` (it deploys the ZK contracts).',
      })
    return c.address
  }
  return {
    PoseidonT2: get('PoseidonT2'),
    PoseidonT3: get('PoseidonT3'),
    CreditVerifier: get('CreditVerifier'),
    ExitVerifier: get('ExitVerifier'),
  }
}

/** Deploys a CreditPool for one provider and price, linked to the Poseidon libraries. */
export async function deployCreditPool(
  publicClient: Public,
  wallet: Wallet,
  infra: ZkInfra,
  config: PoolConfig,
): Promise<Address> {
  const bytecode = linkBytecode(creditPoolBytecode, creditPoolLinkReferences, {
    PoseidonT2: infra.PoseidonT2,
    PoseidonT3: infra.PoseidonT3,
  })
  const hash = await wallet.deployContract({
    abi: creditPoolAbi,
    bytecode,
    args: [
      config.token ?? zeroAddress,
      config.provider,
      config.price,
      config.stake,
      config.rootWindow ?? 600n,
      config.exitDelay ?? 3600n,
      infra.CreditVerifier,
      infra.ExitVerifier,
    ],
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new ZkPayError('ZKPAY_DEPLOY_FAILED', 'CreditPool deployment reverted.')
  return getAddress(receipt.contractAddress)
}

export type PoolInfo = {
  address: Address
  chainId: number
  token: Address | null
  provider: Address
  price: bigint
  stake: bigint
  rootWindow: bigint
  exitDelay: bigint
  scope: bigint
}

export async function readPool(publicClient: Public, address: Address): Promise<PoolInfo> {
  const read = <T>(functionName: string) =>
    publicClient.readContract({ address, abi: creditPoolAbi, functionName } as never) as Promise<T>
  const [token, provider, price, stake, rootWindow, exitDelay, scope] = await Promise.all([
    read<Address>('token'),
    read<Address>('provider'),
    read<bigint>('price'),
    read<bigint>('stake'),
    read<bigint>('rootWindow'),
    read<bigint>('exitDelay'),
    read<bigint>('scope'),
  ])
  return {
    address,
    chainId: publicClient.chain.id,
    token: token === zeroAddress ? null : token,
    provider,
    price,
    stake,
    rootWindow,
    exitDelay,
    scope,
  }
}

/** Deposits `leaf` for `tickets` calls (approving the token first when the pool takes one). */
export async function depositToPool(
  publicClient: Public,
  wallet: Wallet,
  pool: PoolInfo,
  leaf: bigint,
  tickets: bigint,
): Promise<{ leafIndex: number; root: bigint }> {
  const amount = tickets * pool.price + pool.stake
  if (pool.token) {
    const hash = await wallet.writeContract({
      address: pool.token,
      abi: devTokenAbi,
      functionName: 'approve',
      args: [pool.address, amount],
    })
    await publicClient.waitForTransactionReceipt({ hash })
  }
  const hash = await wallet.writeContract({
    address: pool.address,
    abi: creditPoolAbi,
    functionName: 'deposit',
    args: [leaf, tickets],
    value: pool.token ? 0n : amount,
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'Deposited', logs: receipt.logs })
  if (receipt.status !== 'success' || !event) throw new ZkPayError('ZKPAY_DEPOSIT_FAILED', 'The deposit reverted.')
  return { leafIndex: Number(event.args.index), root: event.args.root }
}

export async function isKnownRoot(publicClient: Public, pool: Address, root: bigint): Promise<boolean> {
  return publicClient.readContract({ address: pool, abi: creditPoolAbi, functionName: 'isKnownRoot', args: [root] })
}

/** A fresh deposit for `identity`: its own secret (from a random nonce) and the leaf to deposit. */
export function prepareDeposit(
  identity: { depositSecret(nonce: bigint): bigint },
  tickets: bigint,
): { secretNonce: string; secret: bigint; leaf: bigint } {
  const nonce = randomFieldElement()
  const secret = identity.depositSecret(nonce)
  return { secretNonce: nonce.toString(), secret, leaf: creditLeaf(secret, tickets) }
}

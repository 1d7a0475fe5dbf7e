import { erc20Abi, isAddressEqual, parseEventLogs, zeroAddress, type Address } from 'viem'
import { deployAndWait, readContract, writeAndWait, type Reader, type Wallet } from '@hermit/chain'
import { creditPoolAbi, creditPoolBytecode, creditPoolLinkReferences, linkBytecode } from '@hermit/contracts'
import { creditLeaf, randomFieldElement } from '@hermit/circuits'
import { ZkPayError } from './errors.ts'

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

export function zkInfraFromDeployments(deployments: { contracts: Record<string, { address: Address }> }): ZkInfra {
  const get = (n: keyof ZkInfra) => {
    const c = deployments.contracts[n]
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
  publicClient: Reader,
  wallet: Wallet,
  infra: ZkInfra,
  config: PoolConfig,
): Promise<Address> {
  const bytecode = linkBytecode(creditPoolBytecode, creditPoolLinkReferences, {
    PoseidonT2: infra.PoseidonT2,
    PoseidonT3: infra.PoseidonT3,
  })
  const { address } = await deployAndWait(
    { publicClient, walletClient: wallet },
    {
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
      name: 'CreditPool',
    },
  )
  return address
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

export async function readPool(publicClient: Reader, address: Address): Promise<PoolInfo> {
  const pool = { address, abi: creditPoolAbi } as const
  const [token, provider, price, stake, rootWindow, exitDelay, scope] = await Promise.all([
    readContract(publicClient, { ...pool, functionName: 'token' }),
    readContract(publicClient, { ...pool, functionName: 'provider' }),
    readContract(publicClient, { ...pool, functionName: 'price' }),
    readContract(publicClient, { ...pool, functionName: 'stake' }),
    readContract(publicClient, { ...pool, functionName: 'rootWindow' }),
    readContract(publicClient, { ...pool, functionName: 'exitDelay' }),
    readContract(publicClient, { ...pool, functionName: 'scope' }),
  ])
  return {
    address,
    chainId: publicClient.chain.id,
    token: isAddressEqual(token, zeroAddress) ? null : token,
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
  publicClient: Reader,
  wallet: Wallet,
  pool: PoolInfo,
  leaf: bigint,
  tickets: bigint,
): Promise<{ leafIndex: number; root: bigint }> {
  const clients = { publicClient, walletClient: wallet }
  const amount = tickets * pool.price + pool.stake
  if (pool.token)
    await writeAndWait(clients, {
      address: pool.token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [pool.address, amount],
    })
  const receipt = await writeAndWait(clients, {
    address: pool.address,
    abi: creditPoolAbi,
    functionName: 'deposit',
    args: [leaf, tickets],
    value: pool.token ? 0n : amount,
  })
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'Deposited', logs: receipt.logs })
  if (!event) throw new ZkPayError('ZKPAY_DEPOSIT_FAILED', 'The deposit left no Deposited event.')
  return { leafIndex: Number(event.args.index), root: event.args.root }
}

export async function isKnownRoot(publicClient: Reader, pool: Address, root: bigint): Promise<boolean> {
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

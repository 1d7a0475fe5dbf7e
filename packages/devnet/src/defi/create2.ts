/**
 * Deterministic addresses on a fresh chain. Uniswap's mainnet addresses came from ordinary CREATE
 * by Uniswap's own deployer keys, and Safe's published ones from Safe's singleton factory, whose
 * per-chain presigned transaction the npm package does not ship: neither can be reproduced honestly
 * on a local chain. What can be: CREATE2 through the standard deterministic-deployment proxy
 * (Arachnid's, at 0x4e59b448…, which anvil pre-deploys), salt 0. The address then depends only on
 * the bytecode as shipped and its constructor arguments, so it is the same on every start, whoever
 * deploys and whatever Hermit deployed before.
 */
import { concat, getContractAddress, pad, type Address, type Hex } from 'viem'
import type { Reader, Wallet } from '@hermit/chain'
import { DevnetError } from '../errors.ts'

export const CREATE2_PROXY: Address = '0x4e59b44847b379578588920cA78FbF26c0B4956C'
export const CREATE2_SALT: Hex = pad('0x00', { size: 32 })

export function create2Address(initCode: Hex, salt: Hex = CREATE2_SALT): Address {
  return getContractAddress({ opcode: 'CREATE2', from: CREATE2_PROXY, salt, bytecode: initCode })
}

/** Enough for the largest creation here (UniswapV3Factory, NFTDescriptor: ~5M), within anvil's 30M block. */
export const SEED_GAS_LIMIT = 12_000_000n

/**
 * With anvil's automine the transaction is mined when the send returns, so the receipt is there at
 * once; only with interval mining (`blockTime`) does this fall back to polling for it.
 */
export async function receiptOf(publicClient: Reader, hash: Hex) {
  const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined)
  return receipt ?? (await publicClient.waitForTransactionReceipt({ hash }))
}

/** What a seeding transaction sets itself, so viem asks the node for nothing before sending. */
export type TxParams = { gas: bigint; nonce?: number; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }

/**
 * Nonces counted here and fees fixed once, for a run of transactions from one account that nothing
 * else sends from meanwhile: the world's ~45 seeding transactions then cost one RPC round each.
 */
export async function txSequence(publicClient: Reader, from: Address): Promise<() => TxParams> {
  const [nonce, block] = await Promise.all([
    publicClient.getTransactionCount({ address: from, blockTag: 'pending' }),
    publicClient.getBlock(),
  ])
  // the base fee only falls while the seeding blocks stay under half full, so twice today's is enough
  const maxPriorityFeePerGas = 1_000_000_000n
  const maxFeePerGas = 2n * (block.baseFeePerGas ?? 1_000_000_000n) + maxPriorityFeePerGas
  let next = nonce
  return () => ({ gas: SEED_GAS_LIMIT, nonce: next++, maxFeePerGas, maxPriorityFeePerGas })
}

export type Create2Deployment = { address: Address; txHash: Hex; blockNumber: bigint; gasUsed: bigint }

export async function assertCreate2Proxy(publicClient: Reader): Promise<void> {
  const code = await publicClient.getCode({ address: CREATE2_PROXY })
  if (!code || code === '0x') {
    throw new DevnetError('DEVNET_NO_CREATE2_PROXY', `No deterministic-deployment proxy at ${CREATE2_PROXY}.`, {
      hint: 'The DeFi world needs anvil (which pre-deploys it) or a forked chain that has it.',
      details: { proxy: CREATE2_PROXY },
    })
  }
}

/** Deploys `initCode` (creation code + encoded constructor arguments) at its CREATE2 address. */
export async function deployCreate2(
  publicClient: Reader,
  walletClient: Wallet,
  name: string,
  initCode: Hex,
  tx: TxParams = { gas: SEED_GAS_LIMIT },
): Promise<Create2Deployment> {
  const address = create2Address(initCode)
  try {
    // a fixed gas limit skips eth_estimateGas, which would run the whole creation once more; the
    // check below catches a deploy that ran out of it
    const hash = await walletClient.sendTransaction({
      to: CREATE2_PROXY,
      data: concat([CREATE2_SALT, initCode]),
      ...tx,
    })
    const receipt = await receiptOf(publicClient, hash)
    const code = await publicClient.getCode({ address })
    // the proxy returns nothing on a failed CREATE2 (e.g. a constructor revert, or code already there)
    if (receipt.status !== 'success' || !code || code === '0x')
      throw new Error(`no code at ${address} after the deploy`)
    return { address, txHash: hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }
  } catch (cause) {
    throw new DevnetError('DEVNET_DEPLOY_FAILED', `Deploying ${name} through the CREATE2 proxy failed.`, {
      hint: 'Start the DeFi world on a fresh chain (a fork may already hold code at that address), with a funded deployer.',
      details: { contract: name, address },
      cause,
    })
  }
}

/**
 * The DeFi world: Uniswap V2 and V3 and Safe, deployed from their official npm artifacts at
 * deterministic CREATE2 addresses (see create2.ts), then seeded with dev tokens, liquid pairs and
 * pools at known prices (prices.ts) and one Safe owned by a dev account.
 */
import {
  encodeAbiParameters,
  encodeFunctionData,
  maxUint256,
  parseEventLogs,
  stringToHex,
  zeroAddress,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
} from 'viem'
import type { Reader, Wallet } from '@hermit/chain'
import { devTokenAbi, devTokenBytecode } from '@hermit/contracts'
import type { DefiWorldRecord, DeployedContract } from '../deployments.ts'
import { DevnetError } from '../errors.ts'
import {
  nonfungiblePositionManagerAbi,
  safeAbi,
  safeProxyFactoryAbi,
  uniswapV2FactoryAbi,
  uniswapV2Router02Abi,
  uniswapV3FactoryAbi,
  weth9Abi,
} from './abis.generated.ts'
import { linkBytecode, loadArtifact, type DefiArtifactName } from './artifacts.ts'
import { assertCreate2Proxy, deployCreate2, receiptOf, txSequence, type TxParams } from './create2.ts'
import { assertInitCodeHashes } from './init-code.ts'
import {
  DEFI_DECIMALS,
  DEFI_TOKENS,
  V2_SEED,
  V3_SEED,
  fullRangeTicks,
  sqrtPriceX96,
  units,
  type DefiAsset,
} from './prices.ts'

/** Every contract the world deploys, in order (names as in the deployments file). */
export const DEFI_CONTRACTS = [
  'WETH9',
  'UniswapV2Factory',
  'UniswapV2Router02',
  'UniswapV3Factory',
  'SwapRouter',
  'QuoterV2',
  'NFTDescriptor',
  'NonfungibleTokenPositionDescriptor',
  'NonfungiblePositionManager',
  'Safe',
  'SafeProxyFactory',
  'MultiSend',
  'MultiSendCallOnly',
  'CompatibilityFallbackHandler',
  ...DEFI_TOKENS.map((t) => t.symbol),
] as const
export type DefiContractName = (typeof DEFI_CONTRACTS)[number]

/** Each dev token's faucet cap per mint call, in whole tokens: high, so one call mints all the seed liquidity. */
const FAUCET_LIMIT_TOKENS = 1_000_000_000
/** The Safe starts with 10 ETH and 10,000 USDC, so a Safe transaction has something to move. */
export const SAFE_FUNDING = { eth: 10n * 10n ** 18n, usdc: 10_000n * 10n ** 6n } as const
/** The deadline of every seeding call: far enough for any clock anvil is started with. */
const DEADLINE = 2n ** 48n

export type DefiWorldDeployment = { contracts: Record<DefiContractName, DeployedContract>; defi: DefiWorldRecord }

type Clients = { publicClient: Reader; walletClient: Wallet; tx: () => TxParams }

/** Writes and waits, with a typed error naming the step; no simulation nor estimate (see txSequence). */
async function send<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
  const args extends ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>,
>(
  { publicClient, walletClient, tx }: Clients,
  step: string,
  call: { address: Address; abi: abi; functionName: functionName; args: args; value?: bigint },
) {
  try {
    // fixed gas, as in create2.ts: a revert shows in the receipt's status
    const hash = await walletClient.writeContract({ ...call, ...tx() } as unknown as Parameters<
      Wallet['writeContract']
    >[0])
    const receipt = await receiptOf(publicClient, hash)
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
    return receipt
  } catch (cause) {
    throw new DevnetError('DEVNET_SEED_FAILED', `Seeding the DeFi world failed at: ${step}.`, {
      hint: 'Start it on a fresh anvil whose deployer account holds at least 1,000 ETH.',
      details: { step },
      cause,
    })
  }
}

export async function deployDefiWorld(
  { publicClient, walletClient }: { publicClient: Reader; walletClient: Wallet },
  options: { safeOwners: readonly Address[]; safeThreshold?: number },
): Promise<DefiWorldDeployment> {
  const me = walletClient.account.address
  // before anything is sent: a router whose pair hash is wrong would be deployed "fine" and fail later
  assertInitCodeHashes()
  await assertCreate2Proxy(publicClient)
  const tx = await txSequence(publicClient, me)
  const clients: Clients = { publicClient, walletClient, tx }

  const contracts: Partial<Record<DefiContractName, DeployedContract>> = {}
  const deploy = async (name: DefiContractName, initCode: Hex) => {
    contracts[name] = await deployCreate2(publicClient, walletClient, name, initCode, tx())
    return contracts[name].address
  }
  const args = (types: readonly string[], values: readonly unknown[]): Hex =>
    encodeAbiParameters(
      types.map((type) => ({ type })),
      values,
    ).slice(2) as Hex
  const withArgs = (artifact: DefiArtifactName, types: string[] = [], values: unknown[] = []): Hex =>
    `${loadArtifact(artifact).bytecode}${args(types, values)}` as Hex

  // Uniswap V2; feeToSetter 0: the protocol fee stays off, and the address does not depend on the deployer
  const weth = await deploy('WETH9', withArgs('WETH9'))
  const v2Factory = await deploy('UniswapV2Factory', withArgs('UniswapV2Factory', ['address'], [zeroAddress]))
  const router = await deploy(
    'UniswapV2Router02',
    withArgs('UniswapV2Router02', ['address', 'address'], [v2Factory, weth]),
  )
  // Uniswap V3; its factory's owner is msg.sender, here the CREATE2 proxy: fee tiers 500/3000/10000 stay as built
  const v3Factory = await deploy('UniswapV3Factory', withArgs('UniswapV3Factory'))
  await deploy('SwapRouter', withArgs('SwapRouter', ['address', 'address'], [v3Factory, weth]))
  await deploy('QuoterV2', withArgs('QuoterV2', ['address', 'address'], [v3Factory, weth]))
  // the position manager's constructor takes a token descriptor (its tokenURI calls it): the real one,
  // linked against the real NFTDescriptor library, so tokenURI works as on mainnet
  const nftDescriptor = await deploy('NFTDescriptor', withArgs('NFTDescriptor'))
  const linked = linkBytecode(loadArtifact('NonfungibleTokenPositionDescriptor'), { NFTDescriptor: nftDescriptor })
  const descriptor = await deploy(
    'NonfungibleTokenPositionDescriptor',
    `${linked}${args(['address', 'bytes32'], [weth, stringToHex('ETH', { size: 32 })])}`,
  )
  const positions = await deploy(
    'NonfungiblePositionManager',
    withArgs('NonfungiblePositionManager', ['address', 'address', 'address'], [v3Factory, weth, descriptor]),
  )
  // Safe 1.4.1: the L1 singleton (Safe, not SafeL2), as Ethereum mainnet Safes use; SafeL2 only adds events
  const singleton = await deploy('Safe', withArgs('Safe'))
  const proxyFactory = await deploy('SafeProxyFactory', withArgs('SafeProxyFactory'))
  await deploy('MultiSend', withArgs('MultiSend'))
  await deploy('MultiSendCallOnly', withArgs('MultiSendCallOnly'))
  const fallbackHandler = await deploy('CompatibilityFallbackHandler', withArgs('CompatibilityFallbackHandler'))

  // dev tokens: Hermit's DevToken (open faucet), also at CREATE2 addresses
  const tokens: Record<DefiAsset, Address> = { WETH: weth } as Record<DefiAsset, Address>
  for (const t of DEFI_TOKENS) {
    const initCode = `${devTokenBytecode}${args(
      ['string', 'string', 'uint8', 'uint256'],
      [t.name, t.symbol, t.decimals, units(FAUCET_LIMIT_TOKENS, t.decimals)],
    )}` as Hex
    tokens[t.symbol] = await deploy(t.symbol, initCode)
  }

  // liquidity: the deployer mints, wraps and approves once, then adds every pair and position
  const need = { WETH: 0n, USDC: 0n, DAI: 0n, WBTC: 0n } satisfies Record<DefiAsset, bigint>
  for (const s of [...V2_SEED, ...V3_SEED]) {
    need[s.a] += units(s.amountA, DEFI_DECIMALS[s.a])
    need[s.b] += units(s.amountB, DEFI_DECIMALS[s.b])
  }
  need.USDC += SAFE_FUNDING.usdc
  for (const t of DEFI_TOKENS) {
    await send(clients, `mint ${t.symbol}`, {
      address: tokens[t.symbol],
      abi: devTokenAbi,
      functionName: 'mint',
      args: [me, need[t.symbol]],
    })
  }
  await send(clients, 'wrap ETH', { address: weth, abi: weth9Abi, functionName: 'deposit', args: [], value: need.WETH })
  for (const asset of Object.keys(need) as DefiAsset[]) {
    for (const spender of [router, positions]) {
      await send(clients, `approve ${asset}`, {
        address: tokens[asset],
        abi: devTokenAbi,
        functionName: 'approve',
        args: [spender, maxUint256],
      })
    }
  }

  const v2Pairs: DefiWorldRecord['v2Pairs'] = {}
  for (const s of V2_SEED) {
    const [amountA, amountB] = [units(s.amountA, DEFI_DECIMALS[s.a]), units(s.amountB, DEFI_DECIMALS[s.b])]
    await send(clients, `add V2 liquidity ${s.name}`, {
      address: router,
      abi: uniswapV2Router02Abi,
      functionName: 'addLiquidity',
      args: [tokens[s.a], tokens[s.b], amountA, amountB, amountA, amountB, me, DEADLINE],
    })
    const pair = await publicClient.readContract({
      address: v2Factory,
      abi: uniswapV2FactoryAbi,
      functionName: 'getPair',
      args: [tokens[s.a], tokens[s.b]],
    })
    const [token0, token1] = sortTokens(tokens[s.a], tokens[s.b])
    v2Pairs[s.name] = { address: pair, token0, token1 }
  }

  const v3Pools: DefiWorldRecord['v3Pools'] = {}
  for (const s of V3_SEED) {
    const byAddress = new Map([
      [tokens[s.a].toLowerCase(), units(s.amountA, DEFI_DECIMALS[s.a])],
      [tokens[s.b].toLowerCase(), units(s.amountB, DEFI_DECIMALS[s.b])],
    ])
    const [token0, token1] = sortTokens(tokens[s.a], tokens[s.b])
    const [amount0, amount1] = [byAddress.get(token0.toLowerCase())!, byAddress.get(token1.toLowerCase())!]
    await send(clients, `create V3 pool ${s.name}`, {
      address: positions,
      abi: nonfungiblePositionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [token0, token1, s.fee, sqrtPriceX96(amount0, amount1)],
    })
    const { tickLower, tickUpper } = fullRangeTicks(s.fee)
    const receipt = await send(clients, `mint V3 position ${s.name}`, {
      address: positions,
      abi: nonfungiblePositionManagerAbi,
      functionName: 'mint',
      args: [
        {
          token0,
          token1,
          fee: s.fee,
          tickLower,
          tickUpper,
          amount0Desired: amount0,
          amount1Desired: amount1,
          amount0Min: 0n,
          amount1Min: 0n,
          recipient: me,
          deadline: DEADLINE,
        },
      ],
    })
    const [minted] = parseEventLogs({
      abi: nonfungiblePositionManagerAbi,
      eventName: 'IncreaseLiquidity',
      logs: receipt.logs,
    })
    const pool = await publicClient.readContract({
      address: v3Factory,
      abi: uniswapV3FactoryAbi,
      functionName: 'getPool',
      args: [token0, token1, s.fee],
    })
    v3Pools[s.name] = {
      address: pool,
      token0,
      token1,
      fee: s.fee,
      positionId: minted!.args.tokenId,
      tickLower,
      tickUpper,
    }
  }

  // one Safe, set up with Safe's own fallback handler, then funded
  const threshold = options.safeThreshold ?? 1
  const initializer = encodeFunctionData({
    abi: safeAbi,
    functionName: 'setup',
    args: [
      [...options.safeOwners],
      BigInt(threshold),
      zeroAddress,
      '0x',
      fallbackHandler,
      zeroAddress,
      0n,
      zeroAddress,
    ],
  })
  const created = await send(clients, 'create the Safe', {
    address: proxyFactory,
    abi: safeProxyFactoryAbi,
    functionName: 'createProxyWithNonce',
    args: [singleton, initializer, 0n],
  })
  const [creation] = parseEventLogs({ abi: safeProxyFactoryAbi, eventName: 'ProxyCreation', logs: created.logs })
  const safe = creation!.args.proxy
  try {
    await receiptOf(publicClient, await walletClient.sendTransaction({ to: safe, value: SAFE_FUNDING.eth, ...tx() }))
  } catch (cause) {
    throw new DevnetError('DEVNET_SEED_FAILED', 'Seeding the DeFi world failed at: fund the Safe with ETH.', {
      hint: 'Start it on a fresh anvil whose deployer account holds at least 1,000 ETH.',
      cause,
    })
  }
  await send(clients, 'fund the Safe with USDC', {
    address: tokens.USDC,
    abi: devTokenAbi,
    functionName: 'transfer',
    args: [safe, SAFE_FUNDING.usdc],
  })

  return {
    contracts: contracts as Record<DefiContractName, DeployedContract>,
    defi: {
      tokens: Object.fromEntries(
        (Object.keys(tokens) as DefiAsset[]).map((s) => [s, { address: tokens[s], decimals: DEFI_DECIMALS[s] }]),
      ),
      v2Pairs,
      v3Pools,
      safe: { address: safe, owners: [...options.safeOwners], threshold },
    },
  }
}

/** Uniswap orders a pair's tokens by address. */
export function sortTokens(a: Address, b: Address): [Address, Address] {
  return BigInt(a) < BigInt(b) ? [a, b] : [b, a]
}

/**
 * TEST BED: the devnet's real Uniswap V2/V3 and Safe (`@hermit/devnet`'s DeFi world, from the
 * official npm artifacts), and the on-chain quotes a wallet takes a swap's minimum-out from.
 */
import type { Address } from 'viem'
import {
  defiWorld,
  deployDefiWorld,
  quoterV2Abi,
  uniswapV2Router02Abi,
  type DefiWorld,
  type Devnet,
} from '@hermit/devnet'

/** The worlds defiWorldOf deployed, per devnet. */
const deployedHere = new WeakMap<Devnet, DefiWorld>()

/**
 * The devnet's DeFi world: the one it was started with (`world: 'defi'`), or else deployed onto it
 * now, at the same deterministic CREATE2 addresses, so a test file on the default world still gets
 * the real contracts.
 */
export async function defiWorldOf(devnet: Devnet): Promise<DefiWorld> {
  if (devnet.deployments.defi) return defiWorld(devnet.deployments)
  // deployed here before: the same world, unless a revert to an earlier snapshot took it away
  const known = deployedHere.get(devnet)
  if (known && (await devnet.publicClient.getCode({ address: known.weth }))) return known
  const deployed = await deployDefiWorld(devnet, { safeOwners: [devnet.accounts[0]!.address] })
  const world = defiWorld({
    ...devnet.deployments,
    contracts: { ...devnet.deployments.contracts, ...deployed.contracts },
    world: 'defi',
    defi: deployed.defi,
  })
  deployedHere.set(devnet, world)
  return world
}

/** Router02's quote for `amountIn` along `path` (getAmountsOut): what the swap returns in this state. */
export async function quoteV2(devnet: Devnet, world: DefiWorld, amountIn: bigint, path: Address[]): Promise<bigint> {
  const amounts = await devnet.publicClient.readContract({
    address: world.uniswapV2.router02,
    abi: uniswapV2Router02Abi,
    functionName: 'getAmountsOut',
    args: [amountIn, path],
  })
  return amounts.at(-1)!
}

/** QuoterV2's quote of an `exactInputSingle` (it reverts internally to quote, so it is simulated, never sent). */
export async function quoteV3(
  devnet: Devnet,
  world: DefiWorld,
  q: { tokenIn: Address; tokenOut: Address; fee: number; amountIn: bigint },
): Promise<bigint> {
  const { result } = await devnet.publicClient.simulateContract({
    address: world.uniswapV3.quoterV2,
    abi: quoterV2Abi,
    functionName: 'quoteExactInputSingle',
    args: [{ ...q, sqrtPriceLimitX96: 0n }],
  })
  return result[0]
}

/**
 * A minimum-out `bps` basis points below a quote. 1 % is what a wallet would set: far under
 * `swap.slippage`'s warning (10 %), and a minimum of 1 would let the swap be sandwiched to nothing.
 */
export const belowQuote = (quote: bigint, bps = 100n): bigint => (quote * (10_000n - bps)) / 10_000n

import { startDevnet, defiWorld, quoterV2Abi } from '@hermit/devnet'
import { parseEther } from 'viem'

const devnet = await startDevnet({ world: 'defi' })
const world = defiWorld(devnet.deployments) // typed addresses: weth, tokens, uniswapV2, uniswapV3, safe
// `as const` ABIs from the artifacts' abi fields: uniswapV2FactoryAbi, uniswapV2PairAbi, uniswapV2Router02Abi,
// weth9Abi, uniswapV3FactoryAbi, uniswapV3PoolAbi, swapRouterAbi, quoterV2Abi, nonfungiblePositionManagerAbi,
// safeAbi, safeProxyFactoryAbi, multiSendAbi, multiSendCallOnlyAbi (scripts/gen-defi-abis.ts, `--check`)
// QuoterV2 is not a view (it reverts out of a real swap): simulate it, as clients do
const { result } = await devnet.publicClient.simulateContract({
  address: world.uniswapV3.quoterV2,
  abi: quoterV2Abi,
  functionName: 'quoteExactInputSingle',
  args: [
    { tokenIn: world.weth, tokenOut: world.tokens.USDC, amountIn: parseEther('1'), fee: 3000, sqrtPriceLimitX96: 0n },
  ],
})
console.log(`1 WETH buys ${Number(result[0]) / 1e6} USDC on the v3 pool`) // USDC has 6 decimals
await devnet.stop()

/**
 * What the DeFi world seeds, in whole tokens: the prices follow from the reserves
 * (1 ETH = 3,000 USDC = 3,000 DAI, 1 WBTC = 20 ETH = 60,000 USDC, 1 USDC = 1 DAI).
 */
export const DEFI_TOKENS = [
  { symbol: 'USDC', name: 'Dev USD Coin', decimals: 6 },
  { symbol: 'DAI', name: 'Dev Dai Stablecoin', decimals: 18 },
  { symbol: 'WBTC', name: 'Dev Wrapped BTC', decimals: 8 },
] as const
export type DefiTokenSymbol = (typeof DEFI_TOKENS)[number]['symbol']
/** WETH9 and the dev tokens: every token a pair or pool holds. */
export type DefiAsset = DefiTokenSymbol | 'WETH'

export const DEFI_DECIMALS: Record<DefiAsset, number> = { WETH: 18, USDC: 6, DAI: 18, WBTC: 8 }

/** USD per whole token, as the reserves below set them. */
export const DEFI_PRICES_USD: Record<DefiAsset, number> = { WETH: 3_000, USDC: 1, DAI: 1, WBTC: 60_000 }

export type SeededPair = { name: string; a: DefiAsset; b: DefiAsset; amountA: number; amountB: number }

/** Uniswap V2 pairs and their reserves in whole tokens. */
export const V2_SEED: readonly SeededPair[] = [
  { name: 'WETH_USDC', a: 'WETH', b: 'USDC', amountA: 100, amountB: 300_000 },
  { name: 'WETH_DAI', a: 'WETH', b: 'DAI', amountA: 100, amountB: 300_000 },
  { name: 'WBTC_WETH', a: 'WBTC', b: 'WETH', amountA: 5, amountB: 100 },
  { name: 'USDC_DAI', a: 'USDC', b: 'DAI', amountA: 1_000_000, amountB: 1_000_000 },
]

export type SeededPool = SeededPair & { fee: 500 | 3000 | 10000 }

/**
 * Uniswap V3 pools, each with one full-range position minted through the position manager
 * (ticks: the widest multiple of the fee's tick spacing), so a swap's price follows from the
 * amounts as in V2, only the fee differs.
 */
export const V3_SEED: readonly SeededPool[] = [
  { name: 'WETH_USDC_3000', a: 'WETH', b: 'USDC', amountA: 100, amountB: 300_000, fee: 3000 },
  { name: 'USDC_DAI_500', a: 'USDC', b: 'DAI', amountA: 1_000_000, amountB: 1_000_000, fee: 500 },
]

/** Uniswap V3's tick spacing per fee tier (the factory enables these three at construction). */
export const TICK_SPACING: Record<SeededPool['fee'], number> = { 500: 10, 3000: 60, 10000: 200 }
const MAX_TICK = 887272

export function fullRangeTicks(fee: SeededPool['fee']): { tickLower: number; tickUpper: number } {
  const spacing = TICK_SPACING[fee]
  const upper = Math.floor(MAX_TICK / spacing) * spacing
  return { tickLower: -upper, tickUpper: upper }
}

function sqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = n
  let y = (x + 1n) / 2n
  while (y < x) {
    x = y
    y = (x + n / x) / 2n
  }
  return x
}

/** The pool price as V3 stores it: sqrt(amount1 / amount0) in raw units, as a Q64.96 number. */
export function sqrtPriceX96(amount0: bigint, amount1: bigint): bigint {
  return sqrt((amount1 << 192n) / amount0)
}

/** Whole tokens to base units (the seed amounts are integers). */
export const units = (amount: number, decimals: number): bigint => BigInt(amount) * 10n ** BigInt(decimals)

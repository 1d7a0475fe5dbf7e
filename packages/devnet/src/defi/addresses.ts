import type { Address } from 'viem'
import type { DefiWorldRecord, Deployments } from '../deployments.ts'
import { DevnetError } from '../errors.ts'
import type { DefiAsset } from './prices.ts'
import type { DefiContractName } from './world.ts'

/** The DeFi world's addresses, typed, for viem calls with the ABIs of abis.generated.ts. */
export type DefiWorld = {
  weth: Address
  tokens: Record<DefiAsset, Address>
  uniswapV2: { factory: Address; router02: Address; pairs: DefiWorldRecord['v2Pairs'] }
  uniswapV3: {
    factory: Address
    swapRouter: Address
    quoterV2: Address
    positionManager: Address
    positionDescriptor: Address
    pools: DefiWorldRecord['v3Pools']
  }
  safe: {
    singleton: Address
    proxyFactory: Address
    multiSend: Address
    multiSendCallOnly: Address
    fallbackHandler: Address
    /** The seeded Safe and who owns it. */
    account: DefiWorldRecord['safe']
  }
}

/** The DeFi world of a deployments file (or a running devnet's), or a typed error when it has none. */
export function defiWorld(deployments: Deployments): DefiWorld {
  const { defi, contracts } = deployments
  const missing = (name: string) =>
    new DevnetError('DEVNET_DEPLOYMENTS_INVALID', `These deployments have no DeFi world (${name} is missing).`, {
      hint: "Start the devnet with `startDevnet({ world: 'defi' })` or `pnpm devnet --world defi`.",
      details: { missing: name },
    })
  if (!defi) throw missing('defi')
  const at = (name: DefiContractName): Address => {
    const c = contracts[name]
    if (!c) throw missing(name)
    return c.address
  }
  const token = (symbol: DefiAsset): Address => {
    const t = defi.tokens[symbol]
    if (!t) throw missing(`tokens.${symbol}`)
    return t.address
  }
  return {
    weth: at('WETH9'),
    tokens: { WETH: token('WETH'), USDC: token('USDC'), DAI: token('DAI'), WBTC: token('WBTC') },
    uniswapV2: { factory: at('UniswapV2Factory'), router02: at('UniswapV2Router02'), pairs: defi.v2Pairs },
    uniswapV3: {
      factory: at('UniswapV3Factory'),
      swapRouter: at('SwapRouter'),
      quoterV2: at('QuoterV2'),
      positionManager: at('NonfungiblePositionManager'),
      positionDescriptor: at('NonfungibleTokenPositionDescriptor'),
      pools: defi.v3Pools,
    },
    safe: {
      singleton: at('Safe'),
      proxyFactory: at('SafeProxyFactory'),
      multiSend: at('MultiSend'),
      multiSendCallOnly: at('MultiSendCallOnly'),
      fallbackHandler: at('CompatibilityFallbackHandler'),
      account: defi.safe,
    },
  }
}

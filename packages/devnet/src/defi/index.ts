export * from './abis.generated.ts'
export { defiWorld, type DefiWorld } from './addresses.ts'
export { DEFI_ARTIFACTS, loadArtifact, linkBytecode, type DefiArtifactName } from './artifacts.ts'
export { CREATE2_PROXY, CREATE2_SALT, create2Address } from './create2.ts'
export {
  initCodeChecks,
  assertInitCodeHashes,
  V2_LIBRARY_SOURCE,
  V3_POOL_ADDRESS_SOURCE,
  type InitCodeCheck,
} from './init-code.ts'
export {
  DEFI_TOKENS,
  DEFI_DECIMALS,
  DEFI_PRICES_USD,
  V2_SEED,
  V3_SEED,
  fullRangeTicks,
  sqrtPriceX96,
  type DefiAsset,
  type DefiTokenSymbol,
} from './prices.ts'
export { safeCall, safeTxTypedData, type SafeTransaction } from './safe-tx.ts'
export { DEFI_CONTRACTS, SAFE_FUNDING, deployDefiWorld, sortTokens, type DefiContractName } from './world.ts'

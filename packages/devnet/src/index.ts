/**
 * @hermit/devnet: a real Anvil on a free port (embedded or forking another chain), Hermit's
 * contracts deployed on it, typed viem clients for its dev accounts, snapshots, and a deployments
 * file. No anvil outlives its host process, whatever way the host ends. Opt-in, `world: 'defi'`
 * adds Uniswap V2/V3 and Safe from their official npm artifacts, seeded (src/defi).
 */
export {
  startAnvil,
  resolveAnvilBinary,
  liveAnvilPids,
  anvilOptionsSchema,
  type AnvilOptions,
  type AnvilProcess,
  type AnvilExit,
} from './anvil.ts'
export {
  startDevnet,
  withDevnet,
  createDevnetClients,
  devnetChain,
  ANVIL_MNEMONIC,
  devAccounts,
  type Devnet,
  type DevnetClients,
  type DevnetOptions,
  type DevnetWorld,
} from './devnet.ts'
export { anvilExitedError, devnetTransport } from './transport.ts'
export { deployPlan, hermitDeployPlan, type DeployStep } from './deploy.ts'
export {
  deploymentsSchema,
  defiWorldSchema,
  parseDeployments,
  readDeployments,
  writeDeployments,
  serializeDeployments,
  type Deployments,
  type DeployedContract,
  type DefiWorldRecord,
} from './deployments.ts'
export * from './defi/index.ts'
export {
  DevnetError,
  AnvilNotFoundError,
  AnvilStartError,
  PortInUseError,
  ForkError,
  DeployError,
  DeploymentsFileError,
  redactUrl,
  DEVNET_ERROR_CODES,
  type DevnetErrorCode,
} from './errors.ts'

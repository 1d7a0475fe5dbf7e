/**
 * @hermit/devnet: a real Anvil on a free port (embedded or forking another chain), Hermit's
 * contracts deployed on it, typed viem clients for its dev accounts, snapshots, and a deployments
 * file. No anvil outlives its host process, whatever way the host ends.
 */
export {
  startAnvil,
  resolveAnvilBinary,
  liveAnvilPids,
  anvilOptionsSchema,
  type AnvilOptions,
  type AnvilProcess,
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
} from './devnet.ts'
export { deployPlan, hermitDeployPlan, type DeployStep } from './deploy.ts'
export {
  deploymentsSchema,
  parseDeployments,
  readDeployments,
  writeDeployments,
  serializeDeployments,
  type Deployments,
  type DeployedContract,
} from './deployments.ts'
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

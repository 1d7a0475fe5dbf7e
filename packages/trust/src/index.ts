/**
 * @hermit/trust: who can upgrade, pause, mint, blacklist, set fees or move funds in a contract,
 * through which keys and delays, read from the chain alone (a devnet, a fork or a node). Proxy kinds
 * (EIP-1967 transparent / UUPS, beacon, EIP-1167, EIP-2535, EIP-7702), owner(), the ERC-1967 admin,
 * AccessControl roles from their logs, selectors in the bytecode; Safes, timelocks, and the cheapest
 * path from one key to an upgrade.
 */
export { checkTrust, type CheckTrustOptions } from './check.ts'
export { formatTrust, describeController } from './format.ts'
export { formatDelay, describeHolder } from './summary.ts'
export { explainTrust, buildTrustPrompt, trustExplanationSchema, type TrustExplanation } from './explain.ts'
export { TrustCache, sharedTrustCache } from './cache.ts'
export { pushedSelectors, minimalProxyTarget, delegationTarget } from './bytecode.ts'
export { KNOWN_SELECTORS } from './selectors.ts'
export { IMPLEMENTATION_SLOT, ADMIN_SLOT, BEACON_SLOT } from './proxy.ts'
export type { TrustClient } from './read.ts'
export {
  trustReportSchema,
  controllerSchema,
  powerSchema,
  pathSchema,
  CAPABILITIES,
  PROXY_KINDS,
  CONTROLLER_KINDS,
  type TrustReport,
  type Controller,
  type ControllerKind,
  type Power,
  type TrustPath,
  type ProxyInfo,
  type ProxyKind,
  type Capability,
  type RoleMembers,
} from './schema.ts'
export { TrustError, TRUST_ERROR_CODES, type TrustErrorCode } from './errors.ts'

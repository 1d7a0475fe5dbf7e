/**
 * Every shape `checkTrust` tells apart, deployed on a devnet from real artifacts: OpenZeppelin's
 * proxies, ProxyAdmin, beacon and TimelockController from their npm build, a real Safe 1.4.1 from
 * its npm artifacts, an EIP-1167 clone from its standard init code, a 7702 delegation set with
 * anvil_setCode, and the test bed's vaults, roles token, Compound-style timelock and diamond.
 */
export { deployTrustShapes, type TrustShapes } from './shapes.ts'
export { ozArtifact, type OzName } from './oz.ts'

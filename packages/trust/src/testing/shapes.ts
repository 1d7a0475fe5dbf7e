import {
  concatHex,
  encodeFunctionData,
  parseEventLogs,
  toFunctionSelector,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem'
import { deployAndWait, writeAndWait, type WriteClients } from '@hermit/chain'
import {
  trustCompoundTimelockAbi,
  trustCompoundTimelockBytecode,
  trustDiamondAbi,
  trustDiamondBytecode,
  trustImmutableVaultAbi,
  trustImmutableVaultBytecode,
  trustMintFacetAbi,
  trustMintFacetBytecode,
  trustRolesTokenAbi,
  trustRolesTokenBytecode,
  trustUupsVaultAbi,
  trustUupsVaultBytecode,
  trustVaultV1Abi,
  trustVaultV1Bytecode,
} from '@hermit/contracts/testbed'
import { loadArtifact, safeAbi, safeProxyFactoryAbi, type Devnet } from '@hermit/devnet'
import { ozArtifact, type OzName } from './oz.ts'

export type TrustShapes = {
  /** The one key behind the "one EOA" shapes. */
  eoa: Address
  /** A 2-of-3 Safe 1.4.1 (owners: dev accounts 2, 3, 4). */
  safe: Address
  safeOwners: Address[]
  /** OpenZeppelin TimelockController, 2 days, the EOA proposes. */
  timelock: Address
  /** OpenZeppelin TimelockController, 1 day, the Safe proposes. */
  safeTimelock: Address
  /** Compound-style timelock, 3 days, the EOA is admin. */
  compoundTimelock: Address
  implementation: Address
  uupsImplementation: Address
  /** ERC1967Proxy over the UUPS vault, owned by the EOA. */
  uupsEoa: Address
  /** TransparentUpgradeableProxy (and its ProxyAdmin) owned by the EOA / the Safe / the timelocks. */
  transparentEoa: Address
  transparentSafe: Address
  transparentTimelock: Address
  transparentSafeTimelock: Address
  transparentCompound: Address
  /** BeaconProxy behind an UpgradeableBeacon the EOA owns. */
  beacon: Address
  beaconProxy: Address
  /** EIP-1167 clone of the vault, initialised with the EOA as owner. */
  clone: Address
  /** EIP-2535 diamond owned by the EOA, one facet (mint, pause). */
  diamond: Address
  facet: Address
  /** An EOA delegating to the vault code (EIP-7702). */
  delegated: Address
  /** AccessControl token: admin, minter (the EOA), pauser. */
  roles: Address
  rolesAdmin: Address
  rolesPauser: Address
  /** A vault nobody controls. */
  immutable: Address
}

const DAY = 86_400n

/** Deploys every shape, from dev account 0; owners and keys are other dev accounts. */
export async function deployTrustShapes(devnet: Devnet): Promise<TrustShapes> {
  const clients: WriteClients = { publicClient: devnet.publicClient, walletClient: devnet.walletClient }
  const [, one, s1, s2, s3, , delegatedAccount, admin, pauser] = devnet.accounts.map((a) => a.address)
  const eoa = one!
  const deploy = async (name: string, abi: readonly unknown[], bytecode: Hex, args: readonly unknown[] = []) =>
    (await deployAndWait(clients, { name, abi, bytecode, args: args as never })).address
  const oz = (name: OzName, args: readonly unknown[]) =>
    deploy(name, ozArtifact(name).abi, ozArtifact(name).bytecode, args)
  const init = (owner: Address) =>
    encodeFunctionData({ abi: trustVaultV1Abi, functionName: 'initialize', args: [owner] })

  // a real Safe 1.4.1: singleton and factory from @safe-global/safe-contracts, then a 2-of-3 proxy
  const singleton = await deploy('Safe', safeAbi, loadArtifact('Safe').bytecode)
  const factory = await deploy('SafeProxyFactory', safeProxyFactoryAbi, loadArtifact('SafeProxyFactory').bytecode)
  const safeOwners = [s1!, s2!, s3!]
  const setup = encodeFunctionData({
    abi: safeAbi,
    functionName: 'setup',
    args: [safeOwners, 2n, zeroAddress, '0x', zeroAddress, zeroAddress, 0n, zeroAddress],
  })
  const created = await writeAndWait(clients, {
    address: factory,
    abi: safeProxyFactoryAbi,
    functionName: 'createProxyWithNonce',
    args: [singleton, setup, 0n],
  } as never)
  const [creation] = parseEventLogs({ abi: safeProxyFactoryAbi, eventName: 'ProxyCreation', logs: created.logs })
  const safe = creation!.args.proxy

  const timelock = await oz('TimelockController', [2n * DAY, [eoa], [eoa], zeroAddress])
  const safeTimelock = await oz('TimelockController', [DAY, [safe], [safe], zeroAddress])
  const compoundTimelock = await deploy(
    'TrustCompoundTimelock',
    trustCompoundTimelockAbi,
    trustCompoundTimelockBytecode,
    [eoa, 3n * DAY],
  )

  const implementation = await deploy('TrustVaultV1', trustVaultV1Abi, trustVaultV1Bytecode)
  const uupsImplementation = await deploy('TrustUupsVault', trustUupsVaultAbi, trustUupsVaultBytecode)
  const uupsEoa = await oz('ERC1967Proxy', [uupsImplementation, init(eoa)])
  // OpenZeppelin 5's transparent proxy deploys its own ProxyAdmin, owned by `initialOwner`
  const transparent = (owner: Address) => oz('TransparentUpgradeableProxy', [implementation, owner, init(owner)])
  const transparentEoa = await transparent(eoa)
  const transparentSafe = await transparent(safe)
  const transparentTimelock = await transparent(timelock)
  const transparentSafeTimelock = await transparent(safeTimelock)
  const transparentCompound = await transparent(compoundTimelock)

  const beacon = await oz('UpgradeableBeacon', [implementation, eoa])
  const beaconProxy = await oz('BeaconProxy', [beacon, init(eoa)])

  // EIP-1167: the standard 55-byte init code around the implementation's address
  const cloneInit = concatHex([
    '0x3d602d80600a3d3981f3363d3d373d3d3d363d73',
    implementation,
    '0x5af43d82803e903d91602b57fd5bf3',
  ])
  const cloneHash = await devnet.walletClient.sendTransaction({ data: cloneInit, to: null } as never)
  const cloneReceipt = await devnet.publicClient.waitForTransactionReceipt({ hash: cloneHash })
  const clone = cloneReceipt.contractAddress!
  await writeAndWait(clients, {
    address: clone,
    abi: trustVaultV1Abi,
    functionName: 'initialize',
    args: [eoa],
  } as never)

  const facet = await deploy('TrustMintFacet', trustMintFacetAbi, trustMintFacetBytecode)
  const selectors = ['mint(address,uint256)', 'pause()'].map((s) => toFunctionSelector(`function ${s}`))
  const diamond = await deploy('TrustDiamond', trustDiamondAbi, trustDiamondBytecode, [eoa, facet, selectors])

  const delegated = delegatedAccount!
  await devnet.testClient.setCode({ address: delegated, bytecode: concatHex(['0xef0100', implementation]) })

  const roles = await deploy('TrustRolesToken', trustRolesTokenAbi, trustRolesTokenBytecode, [admin, eoa, pauser])
  const immutable = await deploy('TrustImmutableVault', trustImmutableVaultAbi, trustImmutableVaultBytecode)
  return {
    eoa,
    safe,
    safeOwners,
    timelock,
    safeTimelock,
    compoundTimelock,
    implementation,
    uupsImplementation,
    uupsEoa,
    transparentEoa,
    transparentSafe,
    transparentTimelock,
    transparentSafeTimelock,
    transparentCompound,
    beacon,
    beaconProxy,
    clone,
    diamond,
    facet,
    delegated,
    roles,
    rolesAdmin: admin!,
    rolesPauser: pauser!,
    immutable,
  }
}

import {
  getAddress,
  parseAbi,
  zeroAddress,
  type Abi,
  type Address,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
} from 'viem'

/** Any viem public client: a devnet's, a fork's or a network's. */
export type TrustClient = Pick<PublicClient, 'getCode' | 'getStorageAt' | 'readContract' | 'getLogs' | 'getBlock'> & {
  chain?: { id: number } | undefined
  getChainId(): Promise<number>
}

/** Reads at one block, so every answer describes the same state. */
export type At = { client: TrustClient; blockNumber: bigint }

export const VIEWS = parseAbi([
  'function owner() view returns (address)',
  'function implementation() view returns (address)',
  'function getThreshold() view returns (uint256)',
  'function getOwners() view returns (address[])',
  'function getMinDelay() view returns (uint256)',
  'function delay() view returns (uint256)',
  'function admin() view returns (address)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function proxiableUUID() view returns (bytes32)',
  'struct Facet { address facetAddress; bytes4[] functionSelectors; }',
  'function facets() view returns (Facet[])',
])

export async function codeAt(at: At, address: Address): Promise<Hex> {
  return (await at.client.getCode({ address, blockNumber: at.blockNumber })) ?? '0x'
}

/** The address kept in the low 20 bytes of a storage slot; null when the slot is empty. */
export async function addressInSlot(at: At, address: Address, slot: Hex): Promise<Address | null> {
  const word = await at.client.getStorageAt({ address, slot, blockNumber: at.blockNumber })
  if (!word || /^0x0*$/.test(word)) return null
  const a = getAddress(`0x${word.slice(-40)}`)
  return a === zeroAddress ? null : a
}

/** A view call that may not exist: its result, or null when it reverts or answers something else. */
export async function tryRead<const F extends ContractFunctionName<typeof VIEWS, 'view'>>(
  at: At,
  address: Address,
  functionName: F,
  args: readonly unknown[] = [],
): Promise<unknown> {
  try {
    return await at.client.readContract({
      address,
      abi: VIEWS as Abi,
      functionName,
      args,
      blockNumber: at.blockNumber,
    } as never)
  } catch {
    return null
  }
}

export const asAddress = (v: unknown): Address | null =>
  typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v) && v.toLowerCase() !== zeroAddress ? getAddress(v) : null

import type { Address, Hex } from 'viem'
import { delegationTarget, minimalProxyTarget, pushedSelectors } from './bytecode.ts'
import { addressInSlot, asAddress, codeAt, tryRead, type At } from './read.ts'
import type { ProxyInfo } from './schema.ts'
import { PROXIABLE_UUID } from './selectors.ts'

/** ERC-1967 slots: keccak256('eip1967.proxy.implementation') - 1, and the admin's and beacon's. */
export const IMPLEMENTATION_SLOT: Hex = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
export const ADMIN_SLOT: Hex = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'
export const BEACON_SLOT: Hex = '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50'

const none = (kind: ProxyInfo['kind'], implementation: Address | null = null): ProxyInfo => ({
  kind,
  implementation,
  admin: null,
  beacon: null,
  facets: [],
})

/** Which proxy pattern (if any) a contract's code and storage show, and the code that really runs. */
export async function detectProxy(at: At, address: Address, code: Hex): Promise<ProxyInfo> {
  const delegate = delegationTarget(code)
  if (delegate) return none('eip7702', delegate)
  const clone = minimalProxyTarget(code)
  if (clone) return none('eip1167', clone)
  const [implementation, admin, beacon] = await Promise.all([
    addressInSlot(at, address, IMPLEMENTATION_SLOT),
    addressInSlot(at, address, ADMIN_SLOT),
    addressInSlot(at, address, BEACON_SLOT),
  ])
  if (beacon) {
    const target = asAddress(await tryRead(at, beacon, 'implementation'))
    return { kind: 'beacon', implementation: target, admin, beacon, facets: [] }
  }
  if (implementation) {
    if (admin) return { kind: 'eip1967-transparent', implementation, admin, beacon: null, facets: [] }
    // UUPS: the implementation carries the upgrade logic, and says so with proxiableUUID()
    const uups = pushedSelectors(await codeAt(at, implementation)).has(PROXIABLE_UUID)
    return { kind: uups ? 'eip1967-uups' : 'eip1967', implementation, admin: null, beacon: null, facets: [] }
  }
  const facets = await tryRead(at, address, 'facets')
  if (Array.isArray(facets) && facets.length > 0) {
    const list = facets
      .map((f) => asAddress((f as { facetAddress?: unknown }).facetAddress))
      .filter((a): a is Address => a !== null)
    return { kind: 'diamond', implementation: null, admin: null, beacon: null, facets: [...new Set(list)] }
  }
  return none('none')
}

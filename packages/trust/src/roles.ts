import { getAddress, keccak256, parseAbiItem, toHex, type Address, type Hex } from 'viem'
import { getLogsPaged } from '@hermit/chain'
import type { Capability, RoleMembers } from './schema.ts'
import { tryRead, type At } from './read.ts'

export const DEFAULT_ADMIN_ROLE: Hex = `0x${'0'.repeat(64)}`

/** Role names seen in the wild, by hash; the capability each gives (DEFAULT_ADMIN_ROLE grants every role). */
const ROLE_NAMES: ReadonlyArray<readonly [string, Capability | null]> = [
  ['MINTER_ROLE', 'mint'],
  ['PAUSER_ROLE', 'pause'],
  ['UPGRADER_ROLE', 'upgrade'],
  ['BLACKLISTER_ROLE', 'blacklist'],
  ['FEE_MANAGER_ROLE', 'set-fees'],
  ['RESCUER_ROLE', 'move-funds'],
  ['BURNER_ROLE', null],
  ['OPERATOR_ROLE', null],
  ['MANAGER_ROLE', null],
  ['GUARDIAN_ROLE', null],
  ['ADMIN_ROLE', null],
  ['PROPOSER_ROLE', null],
  ['EXECUTOR_ROLE', null],
  ['CANCELLER_ROLE', null],
]

export const ROLES: ReadonlyMap<Hex, { name: string; capability: Capability | null }> = new Map([
  [DEFAULT_ADMIN_ROLE, { name: 'DEFAULT_ADMIN_ROLE', capability: null }],
  ...ROLE_NAMES.map(([name, capability]) => [keccak256(toHex(name)), { name, capability }] as const),
])
export const PROPOSER_ROLE = keccak256(toHex('PROPOSER_ROLE'))

const roleGranted = parseAbiItem(
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
)

/**
 * Current members of each AccessControl role, from RoleGranted logs since `fromBlock`, each kept
 * only if hasRole still says so (a RoleRevoked needs no separate read). `only` narrows to one role.
 */
export async function roleMembers(at: At, address: Address, fromBlock: bigint, only?: Hex): Promise<RoleMembers[]> {
  const logs = await getLogsPaged(at.client as never, {
    address,
    event: roleGranted,
    ...(only ? { args: { role: only } } : {}),
    fromBlock,
    toBlock: at.blockNumber,
  })
  const candidates = new Map<Hex, Set<Address>>()
  for (const log of logs) {
    const { role, account } = log.args as { role?: Hex; account?: Address }
    if (!role || !account) continue
    const set = candidates.get(role) ?? new Set<Address>()
    set.add(getAddress(account))
    candidates.set(role, set)
  }
  const out: RoleMembers[] = []
  for (const [role, accounts] of candidates) {
    const members: Address[] = []
    for (const account of accounts)
      if ((await tryRead(at, address, 'hasRole', [role, account])) === true) members.push(account)
    if (members.length > 0) out.push({ role: role.toLowerCase(), name: ROLES.get(role)?.name ?? null, members })
  }
  return out
}

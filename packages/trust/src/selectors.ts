import { toFunctionSelector, type Hex } from 'viem'
import type { Capability } from './schema.ts'

/**
 * Functions that give their caller a power over everyone else's use of a contract, by capability.
 * A user's own withdraw(uint256) is not here: only what an owner or a role would hold.
 */
const SIGNATURES: Record<Exclude<Capability, 'upgrade'>, readonly string[]> = {
  pause: ['pause()', 'unpause()', 'setPaused(bool)'],
  mint: ['mint(address,uint256)', 'mint(uint256)', 'issue(uint256)', 'mintTo(address,uint256)'],
  blacklist: [
    'blacklist(address)',
    'addBlackList(address)',
    'addToBlacklist(address)',
    'setBlacklisted(address,bool)',
    'freeze(address)',
    'destroyBlackFunds(address)',
  ],
  'set-fees': ['setFee(uint256)', 'setFees(uint256,uint256)', 'setFeeRecipient(address)', 'setParams(uint256,uint256)'],
  'move-funds': [
    'sweep(address)',
    'sweep(address,address)',
    'rescueTokens(address,address,uint256)',
    'recoverERC20(address,uint256)',
    'withdrawTo(address,uint256)',
    'execute(address,uint256,bytes)',
  ],
  'change-owner': ['transferOwnership(address)', 'renounceOwnership()'],
}

/** Upgrade entry points, in an implementation (UUPS) or in a proxy's own code. */
export const UPGRADE_SIGNATURES = ['upgradeTo(address)', 'upgradeToAndCall(address,bytes)'] as const
export const PROXIABLE_UUID = toFunctionSelector('proxiableUUID()')
export const HAS_ROLE = toFunctionSelector('hasRole(bytes32,address)')

export const KNOWN_SELECTORS: ReadonlyMap<Hex, { capability: Capability; signature: string }> = new Map(
  [
    ...Object.entries(SIGNATURES).flatMap(([capability, sigs]) =>
      sigs.map((signature) => [capability as Capability, signature] as const),
    ),
    ...UPGRADE_SIGNATURES.map((signature) => ['upgrade' as Capability, signature] as const),
  ].map(([capability, signature]) => [toFunctionSelector(`function ${signature}`), { capability, signature }]),
)

/** The capabilities a set of selectors shows, each with the signatures that show it. */
export function capabilitiesOf(selectors: Iterable<Hex>): Map<Capability, string[]> {
  const out = new Map<Capability, string[]>()
  for (const s of selectors) {
    const known = KNOWN_SELECTORS.get(s)
    if (!known) continue
    out.set(known.capability, [...(out.get(known.capability) ?? []), known.signature])
  }
  return out
}

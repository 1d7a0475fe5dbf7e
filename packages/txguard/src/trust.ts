import { isAddressEqual, type Address, type Hash } from 'viem'
import { checkTrust, describeHolder, sharedTrustCache, type TrustCache } from '@hermit/trust'
import type { Reader } from '@hermit/chain'

/** What a rule needs of a contract's trust model: whether one key can upgrade it now, and the headline. */
export type TrustFacts = {
  instantSingleKeyUpgrade: boolean
  /** The key at the start of the cheapest upgrade path ("one EOA (0x12…ab)"), when there is one. */
  upgrader: string | null
  summary: string
}

/** Role logs read for txguard: the newest blocks only, so a check on a fork stays fast. */
const ROLES_LOOKBACK = 50_000n

/**
 * The trust model of each contract the user approves to or deposits into, read at one block and
 * cached per block hash: checking the same spender again costs nothing. A contract whose model
 * cannot be read is left out (no finding either way), never guessed.
 */
export async function trustOf(
  client: Reader,
  addresses: readonly Address[],
  block: { number: bigint; hash: Hash | null },
  cache: TrustCache = sharedTrustCache,
): Promise<Record<Address, TrustFacts>> {
  const unique = addresses.filter((a, i) => addresses.findIndex((b) => isAddressEqual(a, b)) === i)
  const entries = await Promise.all(
    unique.map(async (address) => {
      try {
        const r = await checkTrust(client, address, { block, cache, rolesLookback: ROLES_LOOKBACK })
        const facts: TrustFacts = {
          instantSingleKeyUpgrade: r.instantSingleKeyUpgrade,
          upgrader: r.shortest.upgrade ? describeHolder(r.shortest.upgrade) : null,
          summary: r.summary,
        }
        return [address, facts] as const
      } catch {
        return null
      }
    }),
  )
  return Object.fromEntries(entries.filter((e) => e !== null))
}

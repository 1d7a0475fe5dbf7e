import { getAddress, isAddress, keccak256, toHex, type Address } from 'viem'
import type { ChainFacts } from './chain.ts'
import { constraintsOf, looserReason, type Constraints } from './constraints.ts'
import type { Intent } from './intent.ts'
import { kindReferences } from './kinds/logic.ts'
import { normalizeName, resolveIntent, type ResolveContext } from './resolve.ts'

/**
 * Two readings of the same words are compared without a chain: every symbol and name stands for a
 * made-up address derived from its spelling, every token has 18 decimals. That is enough to tell
 * whether one reading allows more than the other (the corpus check, the model cross-check); it is
 * never used to build or judge a real transaction.
 */
export const SYMBOLIC_USER: Address = '0x00000000000000000000000000000000000000A1'

const pseudo = (kind: string, word: string): Address => getAddress(`0x${keccak256(toHex(`${kind}:${word}`)).slice(26)}`)

type References = { assets: string[]; nfts: string[]; parties: string[] }

function referencesOf(intent: Intent): References {
  const r: References = { assets: [], nfts: [], parties: [] }
  const asset = (a: string | undefined) => a !== undefined && r.assets.push(a)
  const party = (p: string | undefined) => p !== undefined && r.parties.push(p)
  switch (intent.action) {
    case 'send':
      ;(intent.tokenId === undefined ? r.assets : r.nfts).push(intent.asset)
      party(intent.to)
      break
    case 'swap':
      asset(intent.sell.asset)
      asset(intent.buy.asset)
      party(intent.recipient)
      break
    case 'wrap':
    case 'unwrap':
      asset(intent.token)
      break
    case 'approve':
    case 'revoke':
      asset(intent.token)
      party(intent.spender)
      break
    case 'deposit':
    case 'withdraw':
    case 'stake':
    case 'unstake':
      asset(intent.asset)
      party(intent.target)
      break
    case 'claim':
      asset(intent.asset)
      asset(intent.fee?.asset)
      party(intent.from)
      break
    case 'mint':
      asset(intent.maxPrice?.asset)
      party(intent.collection)
      break
    case 'nft.buy':
      r.nfts.push(intent.collection)
      asset(intent.maxPrice.asset)
      party(intent.marketplace)
      break
    case 'nft.list':
      r.nfts.push(intent.collection)
      asset(intent.minPrice?.asset)
      party(intent.marketplace)
      break
    case 'admin':
      party(intent.target)
      party(intent.to)
      party(intent.from)
      break
    case 'escrow.fund':
    case 'call': {
      const k = kindReferences(intent)
      r.assets.push(...k.assets)
      r.parties.push(...k.parties)
      break
    }
    default:
      break
  }
  return r
}

/** A resolution context in which every name and symbol of `intents` resolves, to made-up addresses. */
export function symbolicContext(intents: Intent[], nativeSymbol = 'ETH'): ResolveContext {
  const addressBook: Record<string, Address> = {}
  const tokens: Record<string, Address> = {}
  const nfts = new Set<Address>()
  for (const intent of intents) {
    const refs = referencesOf(intent)
    for (const p of refs.parties)
      if (!isAddress(p, { strict: false })) addressBook[normalizeName(p)] = pseudo('party', normalizeName(p))
    for (const a of [...refs.assets, ...refs.nfts]) {
      const symbol = a.toUpperCase()
      if (isAddress(a, { strict: false }) || symbol === 'NATIVE' || symbol === nativeSymbol.toUpperCase()) continue
      tokens[symbol] = pseudo('token', symbol)
    }
    for (const a of refs.nfts)
      nfts.add(isAddress(a, { strict: false }) ? getAddress(a) : pseudo('token', a.toUpperCase()))
  }
  const chain: ChainFacts = {
    chainId: 0,
    nativeSymbol,
    wrappedNative: pseudo('token', `W${nativeSymbol.toUpperCase()}`),
    decimals: async () => 18,
    standard: async (token) => (nfts.has(getAddress(token)) ? 'erc721' : 'erc20'),
    findTokens: async () => [],
    ens: null,
  }
  return { user: SYMBOLIC_USER, addressBook, tokens, chain }
}

export type ReadingComparison = {
  /** Why `a` allows what `b` does not (null: it does not). */
  aLooser: string | null
  bLooser: string | null
  a: Constraints | null
  b: Constraints | null
}

/**
 * Compares two readings of the same words. A reading that does not resolve (an amount with too
 * many decimals…) has no constraints; the other one is then the only usable reading.
 */
export async function compareReadings(a: Intent, b: Intent, nativeSymbol = 'ETH'): Promise<ReadingComparison> {
  const ctx = symbolicContext([a, b], nativeSymbol)
  const constrain = async (i: Intent) =>
    resolveIntent(i, ctx)
      .then((r) => constraintsOf(r, ctx.user))
      .catch(() => null)
  const [ca, cb] = await Promise.all([constrain(a), constrain(b)])
  if (ca === null || cb === null) return { aLooser: null, bLooser: null, a: ca, b: cb }
  return { aLooser: looserReason(ca, cb), bLooser: looserReason(cb, ca), a: ca, b: cb }
}

import type { Address, Chain, PublicClient, Transport } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import {
  chainFacts,
  constraintsOf,
  describeIntent,
  readIntent,
  resolveIntent,
  ResolveError,
  sameAsset,
  type ChainFacts,
} from '@hermit/intent'
import type { LlmProvider } from '@hermit/llm'
import type { Policy } from './context.ts'
import type { Constraints, IntentReading } from './constraints.ts'

type Client = PublicClient<Transport, Chain>

export type ReadWordsOptions = {
  user: Address
  client: Client | undefined
  /** The model that reads the words too (the parser cross-checks it); none: the parser alone. */
  provider?: LlmProvider
  /** Tokens the request touches: a symbol not on the token list is looked up among them (unverified). */
  involvedTokens: Address[]
  /** What resolution asks the chain (default: read through `client`). */
  facts?: ChainFacts
  timeoutMs?: number
  signal?: AbortSignal
}

type Resolved = Awaited<ReturnType<typeof resolveIntent>>
type Asset = { ref: Constraints['minInflow'][number]['asset']; symbol: string | null; verified: boolean }

/** Every asset the resolved intent names (wherever it sits in the reading). */
function assetsOf(value: unknown, out: Asset[] = []): Asset[] {
  if (!value || typeof value !== 'object') return out
  const v = value as Record<string, unknown>
  if ('ref' in v && 'verified' in v && typeof v.verified === 'boolean') out.push(v as unknown as Asset)
  else for (const [k, x] of Object.entries(v)) if (k !== 'intent') assetsOf(x, out)
  return out
}

/**
 * A swap or purchase must bring something back even when the words give no minimum: what is bought
 * must arrive (1 base unit at least), so a "swap" that only takes is never within the intent.
 */
function mustArrive(resolved: Resolved, c: Constraints): Constraints {
  const bought =
    resolved.action === 'swap' ? resolved.buy.asset.ref : resolved.action === 'nft.buy' ? resolved.collection.ref : null
  if (!bought || c.minInflow.some((m) => sameAsset(m.asset, bought))) return c
  return { ...c, minInflow: [...c.minInflow, { asset: bought, amount: 1n }] }
}

/**
 * The user's words, read once for every rule: by `@hermit/intent`'s parser (and the model, when one
 * is configured, cross-checked by the parser: the stricter reading wins), then resolved through the
 * address book, the token list and the chain, then compiled to constraints. A name or symbol that
 * cannot be resolved is said, with what to add — it never becomes a looser reading.
 */
export async function readWords(text: string, policy: Policy, options: ReadWordsOptions): Promise<IntentReading> {
  const read = await readIntent(text, {
    ...(options.provider ? { provider: options.provider } : {}),
    addressBook: policy.addressBook,
    tokens: policy.tokens,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const notes: string[] = []
  if (read.disagreement) notes.push(`the parser and the model disagreed: ${read.disagreement}`)
  if (read.modelError) notes.push(`the model's reading was not used: ${shortMessageOf(read.modelError)}`)
  // two readings that each allow something the other does not leave no reading at all; for the
  // verifier "no intent" would check nothing, so the parser's own reading is kept instead
  const fallBack = read.intent.action === 'unknown' && read.parsed.action !== 'unknown'
  if (fallBack) notes.push("the model's reading was set aside: the parser's reading is checked")
  const intent = fallBack ? read.parsed : read.intent
  const described = (fallBack ? describeIntent(read.parsed, 'parser') : read.described).replace(
    /^your intent as read: /,
    '',
  )
  const base = { text, described, reader: fallBack ? 'parser' : read.reader, notes }
  if (intent.action === 'unknown') return { ...base, constraints: null }
  const facts =
    options.facts ?? (options.client ? chainFacts(options.client, { knownTokens: options.involvedTokens }) : null)
  if (!facts) return { ...base, constraints: null, unresolved: 'there is no chain to read token decimals from' }
  try {
    const resolved = await resolveIntent(intent, {
      user: options.user,
      addressBook: policy.addressBook,
      tokens: policy.tokens,
      chain: facts,
    })
    for (const a of assetsOf(resolved))
      if (!a.verified && a.ref.kind !== 'native')
        notes.push(
          `"${a.symbol}" is not on your token list: matched by the token's own symbol() (${a.ref.token}), unverified.`,
        )
    return { ...base, constraints: mustArrive(resolved, constraintsOf(resolved, options.user)) }
  } catch (error) {
    // a name, symbol or amount that cannot be resolved (or a chain that would not say): nothing to check against
    const hint = error instanceof ResolveError && error.hint ? ` ${error.hint}` : ''
    return { ...base, constraints: null, unresolved: `${shortMessageOf(error)}${hint}` }
  }
}

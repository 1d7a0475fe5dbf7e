import { getAddress, isAddress, isAddressEqual, parseUnits, type Address } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import type { ChainFacts, TokenStandard } from './chain.ts'
import { IntentError, ResolveError } from './errors.ts'
import { intentSchema, type AdminChange, type Amount, type Intent, type Price } from './intent.ts'
import { resolveKind, type ResolvedKind } from './kinds/logic.ts'

/** One asset, by what it is on the chain. */
export type AssetRef =
  | { kind: 'native' }
  | { kind: 'erc20'; token: Address }
  | { kind: 'erc721'; token: Address; tokenId?: bigint }
  | { kind: 'erc1155'; token: Address; tokenId?: bigint }

export type ResolvedAsset = {
  ref: AssetRef
  /** The symbol the user wrote (or the chain's native symbol); null for a bare address. */
  symbol: string | null
  /** 18 for native; read from the token contract for ERC-20; 0 for NFTs. */
  decimals: number
  /** false when the symbol was matched on the chain, not in the user's token list: a look-alike is possible. */
  verified: boolean
  source: 'native' | 'token-list' | 'chain' | 'address'
}

export type ResolvedParty = {
  address: Address
  /** What the user wrote ("bob", "0x…", "vitalik.eth", "me"). */
  label: string
  source: 'user' | 'address' | 'address-book' | 'ens'
}

export type ResolvedPrice = { asset: ResolvedAsset; amount: bigint }

type Position<A extends 'deposit' | 'withdraw' | 'stake' | 'unstake'> = {
  action: A
  asset: ResolvedAsset
  amount: bigint | 'all'
  target: ResolvedParty | null
}

/** An intent with every reference turned into an address and every amount into base units. */
export type ResolvedIntent = { intent: Intent } & (
  | { action: 'send'; asset: ResolvedAsset; amount: bigint | 'all'; to: ResolvedParty }
  | {
      action: 'swap'
      sell: { asset: ResolvedAsset; amount: bigint | 'all' | null }
      buy: { asset: ResolvedAsset; amount: bigint | null }
      minOut: bigint | null
      maxIn: bigint | null
      slippageBps: number | null
      recipient: ResolvedParty
    }
  | { action: 'wrap' | 'unwrap'; amount: bigint | 'all'; native: ResolvedAsset; wrapped: ResolvedAsset }
  | { action: 'approve'; token: ResolvedAsset; spender: ResolvedParty | null; amount: bigint | 'unlimited' }
  | { action: 'revoke'; token: ResolvedAsset; spender: ResolvedParty | null }
  | Position<'deposit'>
  | Position<'withdraw'>
  | Position<'stake'>
  | Position<'unstake'>
  | {
      action: 'claim'
      asset: ResolvedAsset | null
      from: ResolvedParty | null
      free: boolean
      fee: ResolvedPrice | null
    }
  | { action: 'mint'; collection: ResolvedParty | null; quantity: bigint; maxPrice: ResolvedPrice | null }
  | {
      action: 'nft.buy'
      collection: ResolvedAsset
      tokenId: bigint | null
      /** For everything bought. */
      maxPrice: ResolvedPrice
      marketplace: ResolvedParty | null
    }
  | {
      action: 'nft.list'
      collection: ResolvedAsset
      tokenId: bigint | null
      minPrice: ResolvedPrice | null
      marketplace: ResolvedParty | null
    }
  | { action: 'sign-in'; site: string | null }
  | { action: 'read-only'; what: string | null }
  | {
      action: 'admin'
      change: AdminChange
      target: ResolvedParty | null
      to: ResolvedParty | null
      from: ResolvedParty | null
      threshold: bigint | null
    }
  | { action: 'unknown'; reason: string }
  | ResolvedKind
)

export type ResolveContext = {
  /** The wallet acting: what a swap buys goes here unless the words name someone else. */
  user: Address
  /** The user's names for people and contracts (case does not matter). */
  addressBook: Record<string, Address>
  /** The user's token list: symbol → address. Looked up before the chain. */
  tokens: Record<string, Address>
  chain: ChainFacts
}

const SELF = new Set(['me', 'myself', 'my wallet', 'my address', 'self', 'my account', 'user'])

/**
 * Turns every name, symbol and amount of `intent` into an address and base units. Nothing is
 * guessed: a name that is not in the address book, a symbol two tokens share, an ENS name on a
 * chain without ENS, each is a `ResolveError` whose hint says what to add.
 */
export async function resolveIntent(input: Intent, ctx: ResolveContext): Promise<ResolvedIntent> {
  const parsed = intentSchema.safeParse(input)
  if (!parsed.success)
    throw new IntentError('INTENT_INVALID', `The intent does not fit the schema: ${parsed.error.issues[0]?.message}.`, {
      cause: parsed.error,
      hint: 'Build intents with parseIntent or readIntent, or check them with intentSchema.',
    })
  const intent = parsed.data
  const r = new Resolver(ctx)
  switch (intent.action) {
    case 'send': {
      const asset = await r.asset(intent.asset, intent.tokenId)
      const amount = intent.tokenId !== undefined && asset.ref.kind === 'erc721' ? 1n : r.amount(intent.amount, asset)
      return { intent, action: 'send', asset, amount, to: await r.party(intent.to) }
    }
    case 'swap': {
      const sell = await r.asset(intent.sell.asset)
      const buy = await r.asset(intent.buy.asset)
      return {
        intent,
        action: 'swap',
        sell: { asset: sell, amount: intent.sell.amount === undefined ? null : r.amount(intent.sell.amount, sell) },
        buy: { asset: buy, amount: intent.buy.amount === undefined ? null : r.units(intent.buy.amount, buy) },
        minOut: intent.minOut === undefined ? null : r.units(intent.minOut, buy),
        maxIn: intent.maxIn === undefined ? null : r.units(intent.maxIn, sell),
        slippageBps: intent.slippageBps ?? null,
        recipient: intent.recipient === undefined ? r.self('me') : await r.party(intent.recipient),
      }
    }
    case 'wrap':
    case 'unwrap': {
      const native = r.native()
      const wrapped = await r.wrapped(intent.token)
      return { intent, action: intent.action, amount: r.amount(intent.amount, native), native, wrapped }
    }
    case 'approve': {
      const token = await r.asset(intent.token)
      return {
        intent,
        action: 'approve',
        token,
        spender: intent.spender === undefined ? null : await r.party(intent.spender),
        amount: intent.amount === 'unlimited' ? 'unlimited' : r.units(intent.amount, token),
      }
    }
    case 'revoke':
      return {
        intent,
        action: 'revoke',
        token: await r.asset(intent.token),
        spender: intent.spender === undefined ? null : await r.party(intent.spender),
      }
    case 'deposit':
    case 'withdraw':
    case 'stake':
    case 'unstake': {
      const asset = await r.asset(intent.asset)
      const target = intent.target === undefined ? null : await r.party(intent.target)
      return { intent, action: intent.action, asset, amount: r.amount(intent.amount, asset), target } as ResolvedIntent
    }
    case 'claim':
      return {
        intent,
        action: 'claim',
        asset: intent.asset === undefined ? null : await r.asset(intent.asset),
        from: intent.from === undefined ? null : await r.party(intent.from),
        free: intent.free,
        fee: intent.fee === undefined ? null : await r.price(intent.fee, 1n),
      }
    case 'mint': {
      const quantity = BigInt(intent.quantity ?? '1')
      return {
        intent,
        action: 'mint',
        collection: intent.collection === undefined ? null : await r.party(intent.collection),
        quantity,
        maxPrice: intent.maxPrice === undefined ? null : await r.price(intent.maxPrice, quantity),
      }
    }
    case 'nft.buy':
      return {
        intent,
        action: 'nft.buy',
        collection: await r.asset(intent.collection, intent.tokenId),
        tokenId: intent.tokenId === undefined ? null : BigInt(intent.tokenId),
        maxPrice: await r.price(intent.maxPrice, 1n),
        marketplace: intent.marketplace === undefined ? null : await r.party(intent.marketplace),
      }
    case 'nft.list':
      return {
        intent,
        action: 'nft.list',
        collection: await r.asset(intent.collection, intent.tokenId),
        tokenId: intent.tokenId === undefined ? null : BigInt(intent.tokenId),
        minPrice: intent.minPrice === undefined ? null : await r.price(intent.minPrice, 1n),
        marketplace: intent.marketplace === undefined ? null : await r.party(intent.marketplace),
      }
    case 'sign-in':
      return { intent, action: 'sign-in', site: intent.site ?? null }
    case 'read-only':
      return { intent, action: 'read-only', what: intent.what ?? null }
    case 'admin':
      return {
        intent,
        action: 'admin',
        change: intent.change,
        target: intent.target === undefined ? null : await r.party(intent.target),
        to: intent.to === undefined ? null : await r.party(intent.to),
        from: intent.from === undefined ? null : await r.party(intent.from),
        threshold: intent.threshold === undefined ? null : BigInt(intent.threshold),
      }
    case 'unknown':
      return { intent, action: 'unknown', reason: intent.reason }
    default:
      return resolveKind(intent, r)
  }
}

class Resolver {
  constructor(private readonly ctx: ResolveContext) {}

  self(label: string): ResolvedParty {
    return { address: getAddress(this.ctx.user), label, source: 'user' }
  }

  native(): ResolvedAsset {
    return {
      ref: { kind: 'native' },
      symbol: this.ctx.chain.nativeSymbol,
      decimals: 18,
      verified: true,
      source: 'native',
    }
  }

  async party(word: string): Promise<ResolvedParty> {
    const label = word.trim()
    if (isAddress(label, { strict: false })) return { address: getAddress(label), label, source: 'address' }
    const key = normalizeName(label)
    if (SELF.has(key)) return this.self(label)
    const hits = uniqueAddresses(
      Object.entries(this.ctx.addressBook)
        .filter(([name]) => normalizeName(name) === key)
        .map(([, a]) => a),
    )
    if (hits.length > 1)
      throw new ResolveError(
        'INTENT_AMBIGUOUS',
        `Your address book has ${hits.length} different entries for "${label}".`,
        {
          hint: `Keep one entry named "${label}" in the address book, or write the address itself.`,
          details: { name: label, addresses: hits },
        },
      )
    if (hits.length === 1) return { address: hits[0]!, label, source: 'address-book' }
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.eth$/i.test(label)) return this.ens(label)
    throw new ResolveError('INTENT_UNKNOWN_NAME', `"${label}" is not in your address book.`, {
      hint: `Add "${label}" to the address book (addressBook: { "${label}": "0x…" }), or write the address itself.`,
      details: { name: label },
    })
  }

  private async ens(name: string): Promise<ResolvedParty> {
    const lookup = this.ctx.chain.ens
    if (lookup === null)
      throw new ResolveError(
        'INTENT_ENS_UNAVAILABLE',
        `"${name}" is an ENS name, and chain ${this.ctx.chain.chainId} has no ENS.`,
        {
          hint: `Write the address itself, or add "${name}" to the address book.`,
          details: { name, chainId: this.ctx.chain.chainId },
        },
      )
    let address: Address | null
    try {
      address = await lookup(name)
    } catch (error) {
      if (error instanceof IntentError) throw error
      throw new ResolveError('INTENT_ENS_NOT_FOUND', `"${name}" could not be resolved: ${shortMessageOf(error)}`, {
        cause: error,
        hint: `Write the address itself, or add "${name}" to the address book.`,
      })
    }
    if (address === null)
      throw new ResolveError('INTENT_ENS_NOT_FOUND', `"${name}" has no address on ENS.`, {
        hint: `Check the spelling, or write the address itself.`,
        details: { name },
      })
    return { address: getAddress(address), label: name, source: 'ens' }
  }

  /** A symbol, an address or 'native'; with a token id, the asset is that NFT. */
  async asset(word: string, tokenId?: string): Promise<ResolvedAsset> {
    const w = word.trim()
    const chain = this.ctx.chain
    if (w.toLowerCase() === 'native') return this.native()
    if (isAddress(w, { strict: false })) return this.token(getAddress(w), null, 'address', true, tokenId)
    const symbol = w.toUpperCase()
    const listed = uniqueAddresses(
      Object.entries(this.ctx.tokens)
        .filter(([s]) => s.toUpperCase() === symbol)
        .map(([, a]) => a),
    )
    const isNative = symbol === chain.nativeSymbol.toUpperCase()
    if (listed.length > 1 || (isNative && listed.length > 0))
      throw new ResolveError(
        'INTENT_AMBIGUOUS',
        `"${w}" names ${isNative ? 'the native coin and a token' : 'two tokens'} in your token list.`,
        {
          hint: `Keep one "${w}" in your token list, or write the token's address.`,
          details: { symbol: w, tokens: listed },
        },
      )
    if (isNative) return tokenId === undefined ? this.native() : this.notAnNft(w)
    if (listed.length === 1) return this.token(listed[0]!, w, 'token-list', true, tokenId)
    const found = uniqueAddresses(await chain.findTokens(w))
    if (found.length > 1)
      throw new ResolveError(
        'INTENT_AMBIGUOUS',
        `${found.length} tokens on chain ${chain.chainId} call themselves "${w}".`,
        {
          hint: `Add the one you mean to your token list (tokens: { "${w}": "0x…" }), or write its address.`,
          details: { symbol: w, tokens: found },
        },
      )
    if (found.length === 1) return this.token(found[0]!, w, 'chain', false, tokenId)
    throw new ResolveError('INTENT_UNKNOWN_TOKEN', `No token "${w}" in your token list or on chain ${chain.chainId}.`, {
      hint: `Add it to your token list (tokens: { "${w}": "0x…" }), or write the token's address.`,
      details: { symbol: w },
    })
  }

  private notAnNft(word: string): never {
    throw new ResolveError('INTENT_AMOUNT_INVALID', `"${word}" is the native coin: it has no token ids.`, {
      hint: 'Name the NFT collection (from your token list) or its address.',
    })
  }

  private async token(
    token: Address,
    symbol: string | null,
    source: ResolvedAsset['source'],
    verified: boolean,
    tokenId: string | undefined,
  ): Promise<ResolvedAsset> {
    let standard: TokenStandard
    try {
      standard = await this.ctx.chain.standard(token)
    } catch (error) {
      throw unreadable(token, error)
    }
    if (tokenId !== undefined) {
      if (standard === 'erc20')
        throw new ResolveError(
          'INTENT_TOKEN_UNREADABLE',
          `${symbol ?? token} is an ERC-20 token: it has no token ids.`,
          {
            hint: 'Name the NFT collection, or leave out the token id.',
            details: { token },
          },
        )
      return { ref: { kind: standard, token, tokenId: BigInt(tokenId) }, symbol, decimals: 0, verified, source }
    }
    if (standard !== 'erc20') return { ref: { kind: standard, token }, symbol, decimals: 0, verified, source }
    let decimals: number
    try {
      decimals = await this.ctx.chain.decimals(token)
    } catch (error) {
      throw unreadable(token, error)
    }
    return { ref: { kind: 'erc20', token }, symbol, decimals, verified, source }
  }

  async wrapped(word: string | undefined): Promise<ResolvedAsset> {
    if (word !== undefined) return this.asset(word)
    const listed = Object.keys(this.ctx.tokens).find(
      (s) => s.toUpperCase() === `W${this.ctx.chain.nativeSymbol.toUpperCase()}`,
    )
    if (listed !== undefined) return this.asset(listed)
    const known = this.ctx.chain.wrappedNative
    if (known !== null) return this.token(known, `W${this.ctx.chain.nativeSymbol}`, 'chain', true, undefined)
    throw new ResolveError(
      'INTENT_UNKNOWN_TOKEN',
      `No wrapped ${this.ctx.chain.nativeSymbol} is known on chain ${this.ctx.chain.chainId}.`,
      {
        hint: `Add it to your token list (tokens: { "W${this.ctx.chain.nativeSymbol}": "0x…" }).`,
      },
    )
  }

  async price(price: Price, quantity: bigint): Promise<ResolvedPrice> {
    const asset = await this.asset(price.asset)
    const each = this.units(price.amount, asset)
    return { asset, amount: price.each === true ? each * quantity : each }
  }

  amount(amount: Amount, asset: ResolvedAsset): bigint | 'all' {
    return amount === 'all' || amount === 'max' ? 'all' : this.units(amount, asset)
  }

  units(decimal: string, asset: ResolvedAsset): bigint {
    const fraction = decimal.split('.')[1] ?? ''
    if (fraction.replace(/0+$/, '').length > asset.decimals)
      throw new ResolveError(
        'INTENT_AMOUNT_INVALID',
        `${decimal} has more decimals than ${asset.symbol ?? 'the token'} (${asset.decimals}).`,
        {
          hint: `Write the amount with at most ${asset.decimals} decimals.`,
          details: { amount: decimal, decimals: asset.decimals },
        },
      )
    return parseUnits(decimal, asset.decimals)
  }
}

function unreadable(token: Address, error: unknown): ResolveError {
  return new ResolveError('INTENT_TOKEN_UNREADABLE', `${token} does not answer as a token: ${shortMessageOf(error)}`, {
    cause: error,
    hint: 'Check the token address and the chain; a token must answer decimals() (ERC-20) or supportsInterface (NFTs).',
    details: { token },
  })
}

/** "the Vault", "my landlord", "Bob" → "vault", "landlord", "bob". */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^(the|my|our)\s+/, '')
    .replace(/\s+/g, ' ')
}

function uniqueAddresses(list: Address[]): Address[] {
  const out: Address[] = []
  for (const a of list) if (!out.some((b) => isAddressEqual(a, b))) out.push(getAddress(a))
  return out
}

import { z } from 'zod'
import { KIND_SCHEMAS } from './kinds/schemas.ts'

/**
 * What the user asked for, as written: every reference is still unresolved (a symbol, a name from
 * the address book, an address, an ENS name, or 'native'), every amount a decimal string in whole
 * units ("1000.5") or 'all' / 'max'. `resolveIntent` turns it into addresses and base units.
 * The parser and the model both produce exactly this shape, so either can be checked against the other.
 */

/** "1,000.50" is written "1000.50": digits, an optional fraction, no sign, no exponent. */
export const decimalSchema = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "1000.5"')
/** An amount the user may give: a decimal, 'all' (the whole balance) or 'max' (the same, in other words). */
export const amountSchema = z.union([decimalSchema, z.literal('all'), z.literal('max')])
/** 'native' (the chain's coin), a token symbol ("USDC"), or a token address. */
export const assetSchema = z.string().min(1).max(64)
/** A name from the address book ("bob", "the vault"), an address, or an ENS name ("bob.eth"). */
export const partySchema = z.string().min(1).max(100)
export const tokenIdSchema = z.string().regex(/^\d+$/, 'a token id in decimal')
/** A price bound: the amount of `asset` (default 'native'); `each` = per item, else for everything. */
export const priceSchema = z.strictObject({
  amount: decimalSchema,
  asset: assetSchema,
  each: z.boolean().optional(),
})

const send = z.strictObject({
  action: z.literal('send'),
  asset: assetSchema,
  amount: amountSchema,
  /** An NFT: ERC-721 when there is no amount other than 1, ERC-1155 otherwise (read from the chain). */
  tokenId: tokenIdSchema.optional(),
  to: partySchema,
})

const swap = z.strictObject({
  action: z.literal('swap'),
  /** What leaves; no amount only when the amount bought is fixed (`buy.amount`), then `maxIn` bounds it. */
  sell: z.strictObject({ asset: assetSchema, amount: amountSchema.optional() }),
  /** What arrives; an amount here is an exact-output swap. */
  buy: z.strictObject({ asset: assetSchema, amount: decimalSchema.optional() }),
  /** "no worse than 0.3 ETH", "at least 0.3 ETH": the least of `buy.asset` that must arrive. */
  minOut: decimalSchema.optional(),
  /** "for at most 1,000 DAI": the most of `sell.asset` that may leave. */
  maxIn: decimalSchema.optional(),
  /** "1% slippage" = 100. */
  slippageBps: z.number().int().min(0).max(10_000).optional(),
  /** Who receives what is bought; absent = the user. */
  recipient: partySchema.optional(),
})

/** Native coin ⇄ its wrapped token (WETH on Ethereum); `token` only when the user named another wrapper. */
const wrap = z.strictObject({ action: z.literal('wrap'), amount: amountSchema, token: assetSchema.optional() })
const unwrap = z.strictObject({ action: z.literal('unwrap'), amount: amountSchema, token: assetSchema.optional() })

const approve = z.strictObject({
  action: z.literal('approve'),
  token: assetSchema,
  /** Absent when the words name no spender: then any spender, but only that amount. */
  spender: partySchema.optional(),
  /** 'unlimited' only when the words say so ("unlimited", "infinite", "any amount"). */
  amount: z.union([decimalSchema, z.literal('unlimited')]),
})

const revoke = z.strictObject({ action: z.literal('revoke'), token: assetSchema, spender: partySchema.optional() })

const position = {
  asset: assetSchema,
  amount: amountSchema,
  /** The vault, pool or protocol, by name or address; absent when the words name none. */
  target: partySchema.optional(),
}
const deposit = z.strictObject({ action: z.literal('deposit'), ...position })
const withdraw = z.strictObject({ action: z.literal('withdraw'), ...position })
const stake = z.strictObject({ action: z.literal('stake'), ...position })
const unstake = z.strictObject({ action: z.literal('unstake'), ...position })

const claim = z.strictObject({
  action: z.literal('claim'),
  asset: assetSchema.optional(),
  from: partySchema.optional(),
  /** The words say it is free ("free airdrop", "for free"): then nothing at all may leave. */
  free: z.boolean(),
  /** A fee the user accepts, in `fee.asset`; absent = nothing may leave (free or not). */
  fee: priceSchema.optional(),
})

const mint = z.strictObject({
  action: z.literal('mint'),
  /** The collection or contract, by name or address. */
  collection: partySchema.optional(),
  quantity: z
    .string()
    .regex(/^[1-9]\d*$/)
    .optional(),
  /** Absent = a free mint: nothing may leave. */
  maxPrice: priceSchema.optional(),
})

const nftBuy = z.strictObject({
  action: z.literal('nft.buy'),
  collection: assetSchema,
  tokenId: tokenIdSchema.optional(),
  /** Required: a purchase without a price the user accepts is not read (it would allow any payment). */
  maxPrice: priceSchema,
  marketplace: partySchema.optional(),
})

const nftList = z.strictObject({
  action: z.literal('nft.list'),
  collection: assetSchema,
  tokenId: tokenIdSchema.optional(),
  minPrice: priceSchema.optional(),
  marketplace: partySchema.optional(),
})

const signIn = z.strictObject({ action: z.literal('sign-in'), site: z.string().min(1).max(100).optional() })
const readOnly = z.strictObject({ action: z.literal('read-only'), what: z.string().min(1).max(100).optional() })

export const ADMIN_CHANGES = [
  'ownership',
  'upgrade',
  'safe-owner',
  'safe-threshold',
  'safe-module',
  'safe-guard',
  'safe-fallback',
] as const
export type AdminChange = (typeof ADMIN_CHANGES)[number]

const admin = z.strictObject({
  action: z.literal('admin'),
  change: z.enum(ADMIN_CHANGES),
  /** The contract or Safe being changed. */
  target: partySchema.optional(),
  /** The new owner, implementation, module, guard or handler (for a removal: the owner removed). */
  to: partySchema.optional(),
  /** An owner swap's old owner ("replace the owner alice with bob"): the only owner that may go. */
  from: partySchema.optional(),
  /** A Safe's new threshold ("to 2", "to 3 of 5"): only that number of signatures. */
  threshold: z
    .string()
    .regex(/^[1-9]\d*$/)
    .optional(),
})

const unknown = z.strictObject({ action: z.literal('unknown'), reason: z.string().min(1).max(300) })

export const intentSchema = z.discriminatedUnion('action', [
  send,
  swap,
  wrap,
  unwrap,
  approve,
  revoke,
  deposit,
  withdraw,
  stake,
  unstake,
  claim,
  mint,
  nftBuy,
  nftList,
  signIn,
  readOnly,
  admin,
  ...KIND_SCHEMAS,
  unknown,
])

export type Intent = z.output<typeof intentSchema>
export type IntentAction = Intent['action']
export type IntentOf<A extends IntentAction> = Extract<Intent, { action: A }>
export type Amount = z.output<typeof amountSchema>
export type Price = z.output<typeof priceSchema>

export const INTENT_ACTIONS = intentSchema.options.map((o) => o.shape.action.value) as IntentAction[]

import { formatUnits, isAddress, isAddressEqual, type Address } from 'viem'
import type { Approval, Asset, BalanceChange } from '../effects.ts'
import type { AssetRef } from '../constraints.ts'
import type { RuleContext } from '../context.ts'

/**
 * Two addresses are the same whatever their case; what is not an address (`native`, a symbol) only
 * equals itself, and a missing side (no recipient, a contract creation) equals nothing.
 */
export const same = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && (isAddress(a, { strict: false }) && isAddress(b, { strict: false }) ? isAddressEqual(a, b) : a === b)
export const short = (a: Address) => `${a.slice(0, 6)}…${a.slice(-4)}`

export function nameOf(ctx: RuleContext, a: Address): string {
  const known = ctx.accounts[a]?.name ?? Object.entries(ctx.policy.addressBook).find(([, v]) => same(v, a))?.[0]
  return known ? `${known} (${short(a)})` : short(a)
}

export const isKnown = (ctx: RuleContext, a: Address) => Object.values(ctx.policy.addressBook).some((v) => same(v, a))
export const isDappContract = (ctx: RuleContext, a: Address) => ctx.dappContracts.some((v) => same(v, a))

/** All approvals the request grants: from the simulation (transactions) or from the typed data. */
export function approvalsOf(ctx: RuleContext): Approval[] {
  return [...ctx.effects.approvals, ...(ctx.typedData?.approvals ?? [])].filter(
    (a) => a.kind !== 'operator' || a.approved,
  )
}

export const approvalAmount = (a: Approval): bigint | null =>
  a.kind === 'erc20' || a.kind === 'permit2' ? a.amount : null

export function symbolOf(ctx: RuleContext, token: Address): string {
  return ctx.tokens[token]?.symbol ?? short(token)
}

export function formatAmount(ctx: RuleContext, token: Address | 'native', amount: bigint): string {
  if (token === 'native') return `${formatUnits(amount, 18)} ETH`
  const t = ctx.tokens[token]
  return t?.decimals !== undefined
    ? `${formatUnits(amount, t.decimals)} ${t.symbol ?? short(token)}`
    : `${amount} units of ${symbolOf(ctx, token)}`
}

export const isUserAccount = (ctx: RuleContext, a: string) => ctx.userAccounts.some((u) => same(u, a))

/** The user's own losses (negative changes), on the signer and on a smart wallet it drives. */
export const userOutflows = (ctx: RuleContext): BalanceChange[] =>
  ctx.changes.filter((c) => isUserAccount(ctx, c.holder) && c.delta < 0n)
export const userInflows = (ctx: RuleContext): BalanceChange[] =>
  ctx.changes.filter((c) => isUserAccount(ctx, c.holder) && c.delta > 0n)

export const tokenOfAsset = (c: BalanceChange): Address | 'native' =>
  c.asset.kind === 'native' ? 'native' : c.asset.token

/** Where the user's assets go: receivers of transfers out of the user's wallet. */
export function outflowRecipients(ctx: RuleContext): Address[] {
  const out = new Set<Address>()
  for (const t of ctx.effects.transfers) if (isUserAccount(ctx, t.from) && !isUserAccount(ctx, t.to)) out.add(t.to)
  return [...out]
}

/** Named by the user in the intent (a recipient, a spender, a counterparty): expected, never "unknown". */
export function isNamedByUser(ctx: RuleContext, a: string): boolean {
  const c = ctx.constraints
  if (!c) return false
  return (
    c.counterparties.some((x) => same(x, a)) ||
    (c.recipients ?? []).some((x) => same(x, a)) ||
    c.approvals.some((x) => same(x.spender, a))
  )
}

/** The address book, or named in the intent. */
export const isExpected = (ctx: RuleContext, a: Address) => isKnown(ctx, a) || isNamedByUser(ctx, a)

/** The asset a constraint names matches a simulated asset (a token id only when the constraint names one). */
export function refMatches(ref: AssetRef, asset: Asset): boolean {
  if (ref.kind === 'native' || asset.kind === 'native') return ref.kind === asset.kind
  if (!same(ref.token, asset.token)) return false
  if (ref.kind === 'erc721' && ref.tokenId !== undefined)
    return asset.kind === 'erc721' && asset.tokenId === ref.tokenId
  if (ref.kind === 'erc1155' && ref.tokenId !== undefined) return asset.kind === 'erc1155' && asset.id === ref.tokenId
  return true
}

export const BURN_ADDRESSES: readonly Address[] = [
  '0x0000000000000000000000000000000000000000',
  '0x000000000000000000000000000000000000dEaD',
]
export const isBurn = (a: string) => BURN_ADDRESSES.some((b) => same(a, b))

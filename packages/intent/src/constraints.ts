import { isAddressEqual, zeroAddress, type Address } from 'viem'
import type { AdminChange, Intent } from './intent.ts'
import type { AssetRef, ResolvedAsset, ResolvedIntent, ResolvedParty, ResolvedPrice } from './resolve.ts'
import { constrainKind } from './kinds/logic.ts'

/**
 * What the simulated effects of a transaction or signature must satisfy for it to be what the user
 * asked for. Rules check these, not the wording. Everything not allowed here is not allowed.
 */
export interface Constraints {
  action: Intent['action']
  /** Most that may leave the user per asset. An asset not listed may not leave at all. 'all' = up to the whole balance. */
  maxOutflow: Array<{ asset: AssetRef; amount: bigint | 'all' }>
  /** Least that must arrive to the user (or to `recipients` for a send) per asset. */
  minInflow: Array<{ asset: AssetRef; amount: bigint }>
  /** Who `minInflow` must arrive to: the user, or whom a send or a swap's recipient names. */
  inflowTo: Address
  /** Who may receive the user's outflow; null = not constrained by the words (e.g. a swap's pool/router). */
  recipients: Address[] | null
  /** Who the user named: expected counterparties (never warned about as unknown). */
  counterparties: Address[]
  /** Approvals the intent allows: spender + token + most amount ('unlimited' only when the words say so). Empty = none allowed. */
  approvals: Array<{ token: Address; spender: Address | null; amount: bigint | 'unlimited' }>
  /** Ownership / upgrade / Safe owner-threshold-module-guard-handler changes: allowed only for `admin` naming the change. */
  authorityChange: null | { kind: AdminChange; target?: Address; to?: Address; from?: Address; threshold?: bigint }
  /** Swaps: the largest slippage the user accepts, in basis points, when stated. */
  maxSlippageBps: number | null
  /** sign-in / read-only / "check my balance": nothing may leave, no approval, no permit, no authority change. */
  readOnly: boolean
  /** claim: the words said "free" — any outflow or approval is the opposite of what was asked. */
  free: boolean
}

function base(action: Intent['action'], user: Address): Constraints {
  return {
    action,
    maxOutflow: [],
    minInflow: [],
    inflowTo: user,
    recipients: [],
    counterparties: [],
    approvals: [],
    authorityChange: null,
    maxSlippageBps: null,
    readOnly: false,
    free: false,
  }
}

const parties = (...list: Array<ResolvedParty | null>): Address[] =>
  dedupe(list.filter((p): p is ResolvedParty => p !== null && p.source !== 'user').map((p) => p.address))

/** An ERC-20 outflow that a contract pulls needs an allowance of that size to that spender. */
function pullApproval(asset: ResolvedAsset, amount: bigint | 'all' | null, spender: ResolvedParty | null) {
  if (asset.ref.kind !== 'erc20' || typeof amount !== 'bigint') return []
  return [{ token: asset.ref.token, spender: spender?.address ?? null, amount }]
}

/**
 * Compiles a resolved intent into constraints. Unknown intents allow nothing (the verifier says
 * it did not understand; it does not fall back to a looser reading).
 */
export function constraintsOf(resolved: ResolvedIntent, user: Address): Constraints {
  const c = base(resolved.action, user)
  switch (resolved.action) {
    case 'send': {
      c.maxOutflow = [{ asset: resolved.asset.ref, amount: resolved.amount }]
      if (resolved.amount !== 'all') c.minInflow = [{ asset: resolved.asset.ref, amount: resolved.amount }]
      c.inflowTo = resolved.to.address
      c.recipients = [resolved.to.address]
      c.counterparties = parties(resolved.to)
      return c
    }
    case 'swap': {
      const { sell, buy } = resolved
      const most = minAmount(sell.amount ?? 'all', resolved.maxIn ?? 'all')
      c.maxOutflow = [{ asset: sell.asset.ref, amount: most }]
      const least = maxBig(buy.amount, resolved.minOut)
      if (least !== null) c.minInflow = [{ asset: buy.asset.ref, amount: least }]
      c.inflowTo = resolved.recipient.address
      // the pool or router the sold asset goes to is not something the words name
      c.recipients = null
      c.counterparties = parties(resolved.recipient)
      c.approvals = pullApproval(sell.asset, most, null)
      c.maxSlippageBps = resolved.slippageBps
      return c
    }
    case 'wrap':
    case 'unwrap': {
      const [from, to] =
        resolved.action === 'wrap' ? [resolved.native, resolved.wrapped] : [resolved.wrapped, resolved.native]
      c.maxOutflow = [{ asset: from.ref, amount: resolved.amount }]
      if (resolved.amount !== 'all') c.minInflow = [{ asset: to.ref, amount: resolved.amount }]
      const wrapper = resolved.wrapped.ref.kind === 'native' ? [] : [resolved.wrapped.ref.token]
      // WETH9 keeps the coin it wraps; unwrapping burns the token (a transfer to the zero address in most wrappers)
      c.recipients = resolved.action === 'wrap' ? wrapper : [...wrapper, zeroAddress]
      c.counterparties = wrapper
      return c
    }
    case 'approve': {
      if (resolved.token.ref.kind === 'native') return c
      c.approvals = [
        { token: resolved.token.ref.token, spender: resolved.spender?.address ?? null, amount: resolved.amount },
      ]
      c.counterparties = parties(resolved.spender)
      return c
    }
    case 'revoke': {
      if (resolved.token.ref.kind === 'native') return c
      c.approvals = [{ token: resolved.token.ref.token, spender: resolved.spender?.address ?? null, amount: 0n }]
      c.counterparties = parties(resolved.spender)
      return c
    }
    case 'deposit':
    case 'stake': {
      c.maxOutflow = [{ asset: resolved.asset.ref, amount: resolved.amount }]
      c.recipients = resolved.target === null ? null : [resolved.target.address]
      c.counterparties = parties(resolved.target)
      c.approvals = pullApproval(resolved.asset, resolved.amount, resolved.target)
      return c
    }
    case 'withdraw':
    case 'unstake': {
      if (resolved.amount !== 'all') c.minInflow = [{ asset: resolved.asset.ref, amount: resolved.amount }]
      if (resolved.target !== null) {
        // the vault's own shares (ERC-4626: the vault is the share token) are burned or returned to it
        c.maxOutflow = [{ asset: { kind: 'erc20', token: resolved.target.address }, amount: 'all' }]
        c.recipients = [resolved.target.address, zeroAddress]
      }
      c.counterparties = parties(resolved.target)
      return c
    }
    case 'claim': {
      c.free = resolved.free
      if (resolved.fee !== null && !resolved.free) priceOut(c, resolved.fee, resolved.from)
      c.counterparties = parties(resolved.from)
      return c
    }
    case 'mint': {
      if (resolved.maxPrice !== null) priceOut(c, resolved.maxPrice, resolved.collection)
      c.counterparties = parties(resolved.collection)
      return c
    }
    case 'nft.buy': {
      c.maxOutflow = [{ asset: resolved.maxPrice.asset.ref, amount: resolved.maxPrice.amount }]
      // the seller is not named; the marketplace settles
      c.recipients = null
      c.minInflow = [{ asset: resolved.collection.ref, amount: 1n }]
      c.counterparties = parties(resolved.marketplace)
      c.approvals = pullApproval(resolved.maxPrice.asset, resolved.maxPrice.amount, resolved.marketplace)
      return c
    }
    case 'nft.list': {
      const nft = resolved.collection.ref
      if (nft.kind === 'native' || nft.kind === 'erc20') return c
      c.maxOutflow = [{ asset: nft, amount: 1n }]
      c.recipients = null
      if (resolved.minPrice !== null)
        c.minInflow = [{ asset: resolved.minPrice.asset.ref, amount: resolved.minPrice.amount }]
      // marketplaces take NFTs through setApprovalForAll: listing is the words that allow it, for this collection only
      c.approvals = [{ token: nft.token, spender: resolved.marketplace?.address ?? null, amount: 'unlimited' }]
      c.counterparties = parties(resolved.marketplace)
      return c
    }
    case 'sign-in':
    case 'read-only':
      c.readOnly = true
      return c
    case 'admin': {
      c.authorityChange = {
        kind: resolved.change,
        ...(resolved.target === null ? {} : { target: resolved.target.address }),
        ...(resolved.to === null ? {} : { to: resolved.to.address }),
        ...(resolved.from === null ? {} : { from: resolved.from.address }),
        ...(resolved.threshold === null ? {} : { threshold: resolved.threshold }),
      }
      c.counterparties = parties(resolved.target, resolved.to, resolved.from)
      return c
    }
    case 'unknown':
      return c
    default:
      return constrainKind(resolved, c)
  }
}

function priceOut(c: Constraints, price: ResolvedPrice, payee: ResolvedParty | null): void {
  c.maxOutflow = [{ asset: price.asset.ref, amount: price.amount }]
  c.recipients = payee === null ? null : [payee.address]
  c.approvals = pullApproval(price.asset, price.amount, payee)
}

// ---- comparing two readings

export function sameAsset(a: AssetRef, b: AssetRef): boolean {
  if (a.kind === 'native' || b.kind === 'native') return a.kind === b.kind
  if (a.kind !== b.kind || !isAddressEqual(a.token, b.token)) return false
  const ai = 'tokenId' in a ? a.tokenId : undefined
  const bi = 'tokenId' in b ? b.tokenId : undefined
  return ai === bi
}

/** `wide` covers `narrow`: the same asset, or the same collection with any token id. */
function covers(wide: AssetRef, narrow: AssetRef): boolean {
  if (sameAsset(wide, narrow)) return true
  if (wide.kind === 'native' || narrow.kind === 'native' || wide.kind === 'erc20' || narrow.kind === 'erc20')
    return false
  return wide.kind === narrow.kind && isAddressEqual(wide.token, narrow.token) && wide.tokenId === undefined
}

const moreThan = (a: bigint | 'all', b: bigint | 'all'): boolean => (a === 'all' ? b !== 'all' : b !== 'all' && a > b)
const inList = (list: Address[], a: Address): boolean => list.some((b) => isAddressEqual(a, b))

/** Why `a` allows something `b` does not, or null when it does not. */
export function looserReason(a: Constraints, b: Constraints): string | null {
  // an unknown reading allows nothing at all: the verifier says so instead of checking anything
  if (a.action === 'unknown') return null
  if (b.readOnly && !a.readOnly) return 'it is not read-only'
  for (const out of a.maxOutflow) {
    const bound = b.maxOutflow.filter((o) => covers(o.asset, out.asset))
    if (bound.length === 0) return `it lets ${assetLabel(out.asset)} leave`
    if (bound.every((o) => moreThan(out.amount, o.amount))) return `it lets more ${assetLabel(out.asset)} leave`
  }
  if (a.maxOutflow.length > 0 && b.recipients !== null) {
    if (a.recipients === null) return 'it lets the outflow go to anyone'
    const extra = a.recipients.find((r) => !inList(b.recipients ?? [], r))
    if (extra !== undefined) return `it lets the outflow go to ${extra}`
  }
  for (const ap of a.approvals) {
    if (!approvalAllowed(ap, b.approvals))
      return `it allows an approval of ${ap.token}${ap.amount === 'unlimited' ? ' (unlimited)' : ''}`
  }
  if (a.authorityChange !== null) {
    const bc = b.authorityChange
    if (bc === null || bc.kind !== a.authorityChange.kind) return `it allows a ${a.authorityChange.kind} change`
    for (const k of ['target', 'to'] as const) {
      const av = a.authorityChange[k]
      const bv = bc[k]
      if (bv !== undefined && (av === undefined || !isAddressEqual(av, bv)))
        return `it allows a ${bc.kind} change to another ${k}`
    }
    // an owner swap's old owner is one more owner that may go: naming one allows more than naming none
    const af = a.authorityChange.from
    if (af !== undefined && (bc.from === undefined || !isAddressEqual(af, bc.from)))
      return `it allows a ${bc.kind} change that removes ${af}`
    if (bc.threshold !== undefined && a.authorityChange.threshold !== bc.threshold)
      return `it allows a threshold other than ${bc.threshold}`
  }
  // a send's "least that must arrive" is the same value passing through, already bounded as outflow
  const returns = b.minInflow.filter((need) => !b.maxOutflow.some((o) => sameAsset(o.asset, need.asset)))
  for (const need of returns) {
    const got = a.minInflow.find((i) => sameAsset(i.asset, need.asset))
    if (got === undefined || got.amount < need.amount) return `it accepts less ${assetLabel(need.asset)} back`
  }
  if (returns.length > 0 && !isAddressEqual(a.inflowTo, b.inflowTo)) return `it sends the proceeds to ${a.inflowTo}`
  if (b.maxSlippageBps !== null && (a.maxSlippageBps === null || a.maxSlippageBps > b.maxSlippageBps))
    return 'it accepts more slippage'
  // "free" is what lets nothing leave and asks no approval: a reading that allows neither holds it too
  if (b.free && !a.free && (a.maxOutflow.length > 0 || a.approvals.length > 0))
    return 'it does not hold the claim to "free"'
  return null
}

type Approval = Constraints['approvals'][number]

function approvalAllowed(ap: Approval, allowed: Approval[]): boolean {
  return allowed.some(
    (o) =>
      isAddressEqual(o.token, ap.token) &&
      (o.spender === null || (ap.spender !== null && isAddressEqual(o.spender, ap.spender))) &&
      (o.amount === 'unlimited' || (ap.amount !== 'unlimited' && ap.amount <= o.amount)),
  )
}

/**
 * `a` allows more outflow, another recipient, or an approval `b` does not (also: less back, more
 * slippage, an authority change, or not being read-only when `b` is).
 */
export function looser(a: Constraints, b: Constraints): boolean {
  return looserReason(a, b) !== null
}

/** The stricter of two readings; when each allows something the other does not, what both allow. */
export function stricter(a: Constraints, b: Constraints): Constraints {
  const aLooser = looser(a, b)
  const bLooser = looser(b, a)
  if (!aLooser) return a
  if (!bLooser) return b
  return meet(a, b)
}

function meet(a: Constraints, b: Constraints): Constraints {
  const maxOutflow: Constraints['maxOutflow'] = []
  for (const o of a.maxOutflow) {
    const other = b.maxOutflow.find((p) => sameAsset(p.asset, o.asset))
    if (other !== undefined) maxOutflow.push({ asset: o.asset, amount: minAmount(o.amount, other.amount) })
  }
  const minInflow = [...a.minInflow]
  for (const i of b.minInflow) {
    const at = minInflow.findIndex((m) => sameAsset(m.asset, i.asset))
    if (at < 0) minInflow.push(i)
    else if (minInflow[at]!.amount < i.amount) minInflow[at] = i
  }
  const recipients =
    a.recipients === null
      ? b.recipients
      : b.recipients === null
        ? a.recipients
        : a.recipients.filter((r) => inList(b.recipients ?? [], r))
  const approvals = a.approvals.filter((ap) => approvalAllowed(ap, b.approvals))
  const sameAuthority =
    a.authorityChange !== null && b.authorityChange !== null && !looser(a, { ...a, authorityChange: b.authorityChange })
  const slippage = [a.maxSlippageBps, b.maxSlippageBps].filter((s): s is number => s !== null)
  return {
    action: a.action === b.action ? a.action : 'unknown',
    maxOutflow,
    minInflow,
    inflowTo: a.inflowTo,
    recipients,
    counterparties: dedupe([...a.counterparties, ...b.counterparties]),
    approvals,
    authorityChange: sameAuthority ? a.authorityChange : null,
    maxSlippageBps: slippage.length === 0 ? null : Math.min(...slippage),
    readOnly: a.readOnly || b.readOnly,
    free: a.free || b.free,
  }
}

function minAmount(a: bigint | 'all', b: bigint | 'all'): bigint | 'all' {
  if (a === 'all') return b
  if (b === 'all') return a
  return a < b ? a : b
}

function maxBig(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b
  if (b === null) return a
  return a > b ? a : b
}

function assetLabel(a: AssetRef): string {
  if (a.kind === 'native') return 'the native coin'
  return 'tokenId' in a && a.tokenId !== undefined ? `${a.token} #${a.tokenId}` : a.token
}

function dedupe(list: Address[]): Address[] {
  return list.filter((a, i) => list.findIndex((b) => isAddressEqual(a, b)) === i)
}

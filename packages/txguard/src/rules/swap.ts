import { getAddress, slice, type Address, type Hex } from 'viem'
import type { Finding, Rule, RuleContext } from '../context.ts'
import { flattenCalls, type DecodedCall } from '../decode.ts'
import { refToken } from '../constraints.ts'
import { formatAmount, isNamedByUser, isUserAccount, nameOf, same, symbolOf } from './helpers.ts'
import { inflowTo } from './intent.ts'

/** What a swap call itself promises: the token out, the least it accepts, and who gets the proceeds. */
type SwapTerms = { call: DecodedCall; out: Address | 'native'; minOut: bigint; recipient: Address }

const MSG_SENDER = '0x0000000000000000000000000000000000000001'
const ADDRESS_THIS = '0x0000000000000000000000000000000000000002'

function termsOf(call: DecodedCall): SwapTerms | null {
  const a = call.args
  const path = a.path as Address[] | Hex | undefined
  switch (call.name) {
    case 'swapExactTokensForTokens':
    case 'swapExactETHForTokens':
      return Array.isArray(path) && path.length > 0
        ? { call, out: getAddress(path.at(-1)!), minOut: a.amountOutMin as bigint, recipient: a.to as Address }
        : null
    case 'swapExactTokensForETH':
      return { call, out: 'native', minOut: a.amountOutMin as bigint, recipient: a.to as Address }
    case 'exactInputSingle': {
      const p = a.params as { tokenOut: Address; amountOutMinimum: bigint; recipient: Address }
      return { call, out: getAddress(p.tokenOut), minOut: p.amountOutMinimum, recipient: p.recipient }
    }
    case 'exactInput': {
      const p = a.params as { path: Hex; amountOutMinimum: bigint; recipient: Address }
      // the V3 path is token (20 bytes) | fee (3) | token …: the last 20 bytes are the token out
      if ((p.path.length - 2) / 2 < 20) return null
      return { call, out: getAddress(slice(p.path, -20)), minOut: p.amountOutMinimum, recipient: p.recipient }
    }
    default:
      return null
  }
}

export const swapTermsOf = (ctx: RuleContext): SwapTerms[] =>
  ctx.decoded ? flattenCalls(ctx.decoded).flatMap((c) => termsOf(c) ?? []) : []

/** Who really gets the proceeds: the router's "msg.sender" placeholder is the user; "this" keeps them in the router. */
const proceedsTo = (ctx: RuleContext, t: SwapTerms): Address | null =>
  same(t.recipient, MSG_SENDER)
    ? ctx.user
    : same(t.recipient, ADDRESS_THIS) || /^0x0{40}$/i.test(t.recipient)
      ? null
      : t.recipient

/** What arrived at `to` of `out` in the simulation. */
function received(ctx: RuleContext, out: Address | 'native', to: Address): bigint {
  return ctx.effects.transfers
    .filter(
      (t) =>
        same(t.to, to) &&
        (out === 'native' ? t.asset.kind === 'native' : t.asset.kind !== 'native' && same(t.asset.token, out)),
    )
    .reduce((s, t) => s + t.amount, 0n)
}

export const SLIPPAGE_BLOCK_BPS = 2000n
export const SLIPPAGE_WARN_BPS = 1000n

export const swapSlippage: Rule = {
  id: 'swap.slippage',
  description:
    "The swap call's own minimum-out lets through much less than the simulation returns " +
    '(block above 20 %, warn above 10 %, or above the slippage the user stated).',
  check: (ctx) =>
    swapTermsOf(ctx).flatMap((t): Finding[] => {
      const to = proceedsTo(ctx, t) ?? ctx.user
      const got = received(ctx, t.out, to)
      if (got === 0n || t.minOut >= got) return []
      const bps = ((got - t.minOut) * 10_000n) / got
      const stated = ctx.constraints?.maxSlippageBps
      const overStated = stated !== null && stated !== undefined && bps > BigInt(stated)
      const severity = bps > SLIPPAGE_BLOCK_BPS ? 'block' : bps > SLIPPAGE_WARN_BPS || overStated ? 'warn' : null
      if (!severity) return []
      return [
        {
          id: 'swap.slippage',
          severity,
          message:
            `The swap accepts as little as ${formatAmount(ctx, t.out, t.minOut)} though the simulation returns ` +
            `${formatAmount(ctx, t.out, got)}: ${Number(bps) / 100}% less would still go through` +
            `${overStated ? `, above the ${stated! / 100}% you allowed` : ''}.`,
          evidence: { minOut: t.minOut.toString(), simulated: got.toString(), bps: Number(bps), token: t.out },
        },
      ]
    }),
}

export const swapRecipient: Rule = {
  id: 'swap.recipient',
  description: 'The proceeds of a swap go to someone other than the user (or whom the user named).',
  check: (ctx) =>
    swapTermsOf(ctx).flatMap((t): Finding[] => {
      const to = proceedsTo(ctx, t)
      if (!to || isUserAccount(ctx, to) || isNamedByUser(ctx, to)) return []
      return [
        {
          id: 'swap.recipient',
          severity: 'block',
          message: `The ${t.out === 'native' ? 'ETH' : symbolOf(ctx, t.out)} you buy would go to ${nameOf(ctx, to)}, not to you.`,
          evidence: { recipient: to, function: t.call.signature },
        },
      ]
    }),
}

export const swapBelowMinimum: Rule = {
  id: 'swap.below-minimum',
  description: 'The simulated amount received is below the minimum the user stated ("at least", "no worse than").',
  check: (ctx) => {
    const c = ctx.constraints
    if (!c || c.readOnly || c.action !== 'swap') return []
    return c.minInflow.flatMap((want): Finding[] => {
      // nothing at all arriving is intent.mismatch's; here: something arrives, but less than the minimum
      if (want.amount <= 1n) return []
      const got = inflowTo(ctx, c.inflowTo, want.asset)
      if (got >= want.amount || got === 0n) return []
      const token = refToken(want.asset)
      return [
        {
          id: 'swap.below-minimum',
          severity: 'block',
          message:
            `${isUserAccount(ctx, c.inflowTo) ? 'You' : nameOf(ctx, c.inflowTo)} would receive ${formatAmount(ctx, token, got)}, ` +
            `less than the ${formatAmount(ctx, token, want.amount)} you asked for at least.`,
          evidence: { asset: token, received: got.toString(), minimum: want.amount.toString() },
        },
      ]
    })
  },
}

/**
 * A swap whose own minimum-out (and recipient) cannot be read from its calldata: a router Hermit
 * has no ABI for, or Universal Router commands (their inputs are not decoded; V4 swaps not at all).
 * Said in the report rather than skipped in silence: swap.slippage and swap.recipient checked nothing.
 */
export const swapTermsUnread: Rule = {
  id: 'swap.terms-unread',
  description:
    'A swap whose own minimum-out Hermit cannot read (an unknown router, Universal Router commands): ' +
    'the slippage it allows is not checked, and the report says so.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'transaction' || !r.to || r.data === '0x' || swapTermsOf(ctx).length > 0) return []
    const calls = ctx.decoded ? flattenCalls(ctx.decoded) : []
    const commands = [
      ...new Set(
        calls.filter((c) => c.family === 'UniversalRouterCommand' && /SWAP/.test(c.name ?? '')).map((c) => c.name!),
      ),
    ]
    const swapIntent = ctx.constraints?.action === 'swap'
    if (!swapIntent && commands.length === 0) return []
    const what =
      commands.length > 0
        ? `Universal Router commands ${commands.join(', ')}`
        : (ctx.decoded?.signature ?? `an unknown function ${r.data.slice(0, 10)}`)
    return [
      {
        id: 'swap.terms-unread',
        severity: 'info',
        message:
          `The minimum this swap accepts cannot be read from its call to ${nameOf(ctx, r.to)} (${what}): ` +
          'Hermit reads the terms of Uniswap V2 Router02 and V3 SwapRouter swaps only, so the slippage this call ' +
          `allows is not checked${swapIntent ? '; what the simulation returns is still checked against your intent' : ''}.`,
        evidence: { to: r.to, selector: r.data.slice(0, 10), commands },
      },
    ]
  },
}

import { formatUnits } from 'viem'
import type { Finding, Rule, RuleContext } from '../context.ts'
import { nameOf, same, symbolOf } from './helpers.ts'

export const rawHashSignature: Rule = {
  id: 'sign.raw-hash',
  description: 'eth_sign, or a signature over a bare 32-byte hash: it can authorize anything, including a transaction.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'raw-sign') return []
    // 32 bytes a person can read (a 32-character sign-in line) are text, not a hash
    const isHash = (r.message.length - 2) / 2 === 32 && r.text === undefined
    if (r.method === 'eth_sign' || isHash) {
      return [
        {
          id: 'sign.raw-hash',
          severity: 'block',
          message: `A blind signature over ${isHash ? 'a 32-byte hash' : 'raw bytes'} (${r.method}): you cannot know what it authorizes.`,
          evidence: { method: r.method, message: r.message.slice(0, 66) },
        },
      ]
    }
    return []
  },
}

const trustedToken = (ctx: RuleContext, token: string | null) =>
  Object.values(ctx.policy.tokens).some((t) => same(t, token))

export const freeAssetsOrder: Rule = {
  id: 'order.free-assets',
  description: 'A marketplace order (Seaport, Blur) that gives assets away with nothing of known value coming back.',
  check: (ctx): Finding[] => {
    const order = ctx.typedData?.order
    if (!order || order.gives.length === 0) return []
    // only ETH or a token on the user's own list counts as value: any contract can mint "payment" tokens
    const valuable = order.receives.filter(
      (i) => i.amount > 0n && (i.kind === 'native' || (i.kind === 'erc20' && trustedToken(ctx, i.token))),
    )
    if (valuable.length > 0) return []
    return [
      {
        id: 'order.free-assets',
        severity: 'block',
        message: `This ${ctx.typedData!.kind} gives away ${order.gives.length} of your asset(s) with nothing of known value in return.`,
        evidence: {
          gives: order.gives.map((g) => ({ ...g, amount: g.amount.toString(), id: g.id?.toString() })),
          receives: order.receives.length,
        },
      },
    ]
  },
}

export const listing: Rule = {
  id: 'order.listing',
  description: 'Every marketplace listing: an off-chain signature that lets anyone buy the asset at the signed price.',
  check: (ctx): Finding[] => {
    const order = ctx.typedData?.order
    if (!order || order.gives.length === 0) return []
    const back =
      order.receives
        .map((i) =>
          i.kind === 'native' ? `${formatUnits(i.amount, 18)} ETH` : `${i.amount} of ${i.token ?? 'an unknown asset'}`,
        )
        .join(' + ') || 'nothing'
    return [
      {
        id: 'order.listing',
        severity: 'warn',
        message: `Signing lists ${order.gives.length} asset(s) for ${back}: anyone can fill it until it expires. Check the price.`,
        evidence: { receives: back },
      },
    ]
  },
}

export const unknownTypedData: Rule = {
  id: 'typed-data.unknown',
  description: 'An EIP-712 message Hermit cannot interpret.',
  check: (ctx) =>
    ctx.typedData?.kind === 'unknown'
      ? [
          {
            id: 'typed-data.unknown',
            severity: 'warn',
            message: `A "${ctx.typedData.primaryType}" signature Hermit cannot interpret: read it carefully.`,
            evidence: { primaryType: ctx.typedData.primaryType },
          },
        ]
      : [],
}

export const permitSignature: Rule = {
  id: 'sign.permit',
  description:
    'A signature that grants an allowance off-chain (Permit, Permit2): no transaction, but the same power as approve.',
  check: (ctx) =>
    (ctx.typedData?.approvals ?? []).map((a) => ({
      id: 'sign.permit',
      severity: 'info' as const,
      message: `Signing grants ${nameOf(ctx, a.spender)} a ${a.kind === 'permit2' ? 'Permit2' : 'permit'} allowance on ${symbolOf(ctx, a.token)}.`,
      evidence: { spender: a.spender, token: a.token },
    })),
}

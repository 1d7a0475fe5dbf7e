import type { Finding, Rule } from '../context.ts'
import { nameOf, symbolOf } from './helpers.ts'

export const rawHashSignature: Rule = {
  id: 'sign.raw-hash',
  description: 'eth_sign, or a signature over a bare 32-byte hash: it can authorize anything, including a transaction.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'raw-sign') return []
    const isHash = (r.message.length - 2) / 2 === 32
    if (r.method === 'eth_sign' || isHash) {
      return [{ id: 'sign.raw-hash', severity: 'block', message: `A blind signature over ${isHash ? 'a 32-byte hash' : 'raw bytes'} (${r.method}): you cannot know what it authorizes.`, evidence: { method: r.method, message: r.message.slice(0, 66) } }]
    }
    return []
  },
}

export const freeAssetsOrder: Rule = {
  id: 'order.free-assets',
  description: 'A marketplace order (Seaport, Blur) that gives assets away for nothing or almost nothing.',
  check: (ctx): Finding[] => {
    const o = ctx.typedData?.order
    if (!o || o.gives.length === 0) return []
    const received = o.receives.reduce((s, i) => s + i.amount, 0n)
    if (received > 0n && o.receives.length > 0) return []
    return [{ id: 'order.free-assets', severity: 'block', message: `This ${ctx.typedData!.kind} lists ${o.gives.length} of your asset(s) for nothing in return.`, evidence: { gives: o.gives.map((g) => ({ ...g, amount: g.amount.toString(), id: g.id?.toString() })), receives: o.receives.length } }]
  },
}

export const unknownTypedData: Rule = {
  id: 'typed-data.unknown',
  description: 'An EIP-712 message Hermit cannot interpret.',
  check: (ctx) =>
    ctx.typedData?.kind === 'unknown'
      ? [{ id: 'typed-data.unknown', severity: 'warn', message: `A "${ctx.typedData.primaryType}" signature Hermit cannot interpret: read it carefully.`, evidence: { primaryType: ctx.typedData.primaryType } }]
      : [],
}

export const permitSignature: Rule = {
  id: 'sign.permit',
  description: 'A signature that grants an allowance off-chain (Permit, Permit2): no transaction, but the same power as approve.',
  check: (ctx) =>
    (ctx.typedData?.approvals ?? []).map((a) => ({
      id: 'sign.permit',
      severity: 'info' as const,
      message: `Signing grants ${nameOf(ctx, a.spender)} a ${a.kind === 'permit2' ? 'Permit2' : 'permit'} allowance on ${symbolOf(ctx, a.token)}.`,
      evidence: { spender: a.spender, token: a.token },
    })),
}

import { formatUnits, getAddress } from 'viem'
import type { Finding, Rule } from '../context.ts'
import {
  approvalsOf,
  formatAmount,
  isDappContract,
  isExpected,
  isKnown,
  nameOf,
  outflowRecipients,
  same,
  tokenOfAsset,
  userOutflows,
} from './helpers.ts'

export const valueToToken: Rule = {
  id: 'value.to-token',
  description: 'ETH sent to a token contract (other than wrapping): tokens do not need ETH, and it is usually lost.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'transaction' || !r.to || r.value === 0n) return []
    const kind = ctx.tokens[r.to]?.kind
    if (kind !== 'erc20' && kind !== 'erc721' && kind !== 'erc1155') return []
    if (ctx.decoded?.family === 'WETH' && ctx.decoded.name === 'deposit') return []
    return [
      {
        id: 'value.to-token',
        severity: 'warn',
        message: `Sends ${formatUnits(r.value, 18)} ETH to the token contract ${nameOf(ctx, r.to)}.`,
        evidence: { to: r.to, value: r.value.toString() },
      },
    ]
  },
}

export const unexpectedRecipient: Rule = {
  id: 'counterparty.unexpected-recipient',
  description:
    'Assets leave for an address that is not the contract the user talks to, a contract it calls, or someone the user knows.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'transaction') return []
    // contracts the transaction really called (successful CALLs); a plain account never counts as one
    const called = new Set(
      ctx.simulation?.frames
        .filter((f) => f.type === 'CALL' && !f.error && f.to && ctx.accounts[f.to]?.isContract)
        .map((f) => f.to),
    )
    return outflowRecipients(ctx).flatMap((to): Finding[] => {
      if (same(to, r.to) || called.has(to) || isExpected(ctx, to) || isDappContract(ctx, to)) return []
      return [
        {
          id: 'counterparty.unexpected-recipient',
          severity: 'warn',
          message: `Your assets go to ${nameOf(ctx, to)}, which you are not talking to and do not know.`,
          evidence: { recipient: to },
        },
      ]
    })
  },
}

export const firstInteraction: Rule = {
  id: 'recipient.first-interaction',
  description:
    'The user never dealt with this recipient before: not in the address book or policy history, not signed for through Hermit, not in the Transfer logs.',
  check: (ctx) =>
    outflowRecipients(ctx).flatMap((to): Finding[] => {
      const key = to.toLowerCase()
      if (
        isKnown(ctx, to) ||
        ctx.policy.history.some((h) => same(h, to)) ||
        ctx.history.trusted[key] ||
        ctx.history.seen[key] ||
        ctx.accounts[to]?.isContract
      )
        return []
      return [
        {
          id: 'recipient.first-interaction',
          severity: 'info',
          message:
            `First time you send anything to ${nameOf(ctx, to)}` +
            (ctx.history.chain.status !== 'read'
              ? ` (the chain's history could not be read: ${ctx.history.chain.reason}).`
              : ctx.history.dust.includes(key)
                ? ` (in blocks ${ctx.history.chain.fromBlock}–${ctx.history.chain.toBlock} only zero-value or dust transfers involve it).`
                : ` (no transfer with it in blocks ${ctx.history.chain.fromBlock}–${ctx.history.chain.toBlock}).`),
          evidence: { recipient: to },
        },
      ]
    }),
}

/** 0xAbCd…1234 vs 0xAbCd…1234: same first and last characters, different address. */
export function looksAlike(a: string, b: string, edge = 4): boolean {
  const x = a.toLowerCase().slice(2)
  const y = b.toLowerCase().slice(2)
  return x !== y && x.slice(0, edge) === y.slice(0, edge) && x.slice(-edge) === y.slice(-edge)
}

export const lookalikeAddress: Rule = {
  id: 'recipient.lookalike',
  description:
    'A counterparty that shares the first and last 4 hex digits with one the user really dealt with ' +
    '(address book, history, chain) but is not it: address poisoning.',
  check: (ctx) => {
    const r = ctx.request
    const candidates = new Set<string>([
      ...outflowRecipients(ctx),
      ...approvalsOf(ctx).map((a) => a.spender),
      ...(r.kind === 'transaction' && r.to ? [r.to] : []),
    ])
    // every counterparty the user really dealt with, and how that is known
    const known = new Map<string, string>(Object.entries(ctx.history.trusted))
    for (const [name, a] of Object.entries(ctx.policy.addressBook)) known.set(a.toLowerCase(), `address book (${name})`)
    const findings: Finding[] = []
    for (const c of candidates) {
      // a candidate the user really dealt with is itself, not a copy
      if (known.has(c.toLowerCase())) continue
      for (const [k, how] of known) {
        if (!looksAlike(c, k)) continue
        const name = Object.entries(ctx.policy.addressBook).find(([, v]) => same(v, k))?.[0]
        findings.push({
          id: 'recipient.lookalike',
          severity: 'block',
          message: `${c} looks like ${name ?? getAddress(k)} (${how}) but is a different address: a classic address-poisoning trap.`,
          evidence: { address: c, lookalikeOf: name ?? getAddress(k), known: getAddress(k), knownFrom: how },
        })
      }
    }
    return findings
  },
}

export const outflowLimit: Rule = {
  id: 'policy.outflow-limit',
  description: "Simulated outflows above the user's spending limit for that asset.",
  check: (ctx) =>
    userOutflows(ctx).flatMap((c): Finding[] => {
      const token = tokenOfAsset(c)
      const limit =
        ctx.policy.outflowLimits[token] ?? Object.entries(ctx.policy.outflowLimits).find(([k]) => same(k, token))?.[1]
      if (limit === undefined || -c.delta <= limit) return []
      return [
        {
          id: 'policy.outflow-limit',
          severity: 'block',
          message: `You would lose ${formatAmount(ctx, token, -c.delta)}, above your limit of ${formatAmount(ctx, token, limit)}.`,
          evidence: { asset: token, amount: (-c.delta).toString(), limit: limit.toString() },
        },
      ]
    }),
}

export const sellUnchecked: Rule = {
  id: 'token.sell-unchecked',
  description: 'A token the user receives whose resale could not be simulated.',
  check: (ctx) =>
    ctx.sellUnchecked.map((token) => ({
      id: 'token.sell-unchecked',
      severity: 'warn' as const,
      message: `Could not check that ${ctx.tokens[token]?.symbol ?? token} can be sold again (the node cannot simulate it).`,
      evidence: { token },
    })),
}

export const cannotSell: Rule = {
  id: 'token.cannot-sell',
  description: 'A token the user receives cannot be transferred afterwards (a honeypot).',
  check: (ctx) =>
    ctx.unsellable.map((token) => ({
      id: 'token.cannot-sell',
      severity: 'block' as const,
      message: `You would receive ${ctx.tokens[token]?.symbol ?? token} but could never send or sell it again (a honeypot).`,
      evidence: { token },
    })),
}

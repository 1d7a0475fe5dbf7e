import type { Finding, Rule, RuleContext } from '../context.ts'
import { UNLIMITED_THRESHOLD } from '../context.ts'
import { refToken, type Constraints } from '../constraints.ts'
import {
  approvalAmount,
  approvalsOf,
  formatAmount,
  isUserAccount,
  nameOf,
  outflowRecipients,
  refMatches,
  same,
  symbolOf,
  tokenOfAsset,
  userOutflows,
} from './helpers.ts'

/** Net gain of `asset` by `to` (the user, or whom a send pays). */
export function inflowTo(ctx: RuleContext, to: string, asset: Constraints['minInflow'][number]['asset']): bigint {
  const holders = isUserAccount(ctx, to) ? ctx.userAccounts : [to]
  return ctx.changes
    .filter((c) => holders.some((h) => same(h, c.holder)) && c.delta > 0n && refMatches(asset, c.asset))
    .reduce((s, c) => s + c.delta, 0n)
}

function mismatch(message: string, evidence: Record<string, unknown>): Finding {
  return { id: 'intent.mismatch', severity: 'block', message, evidence }
}

/** A token the intent names that is not on the user's token list nor typed as an address: matched only by its own symbol(). */
function unverifiedTokens(ctx: RuleContext): Finding[] {
  const c = ctx.constraints
  if (!c) return []
  const listed = (t: string) => Object.values(ctx.policy.tokens).some((a) => same(a, t))
  const typed = (t: string) => (ctx.reading?.text ?? '').toLowerCase().includes(t.toLowerCase())
  const named = [
    ...c.maxOutflow.map((o) => refToken(o.asset)),
    ...c.minInflow.map((i) => refToken(i.asset)),
    ...c.approvals.map((a) => a.token),
  ]
  return [...new Set(named)]
    .filter((t) => t !== 'native' && !listed(t) && !typed(t))
    .map((token) => ({
      id: 'intent.unverified-token',
      severity: 'warn' as const,
      message: `${symbolOf(ctx, token as `0x${string}`)} (${token}) is not on your token list: it was found by its own symbol(), which any contract can fake.`,
      evidence: { token },
    }))
}

/**
 * Compares the simulated effects with the constraints the user's words compile to: every outflow
 * within its bound (an asset not listed may not leave at all), to an allowed recipient, the least
 * that must arrive, and only the approvals the words call for.
 */
export const intentMismatch: Rule = {
  id: 'intent.mismatch',
  description: 'Value, token or approval effects outside the constraints of the intent the user stated.',
  check: (ctx) => {
    if (ctx.reading?.unresolved && !ctx.constraints) {
      // the words were understood but name someone or something Hermit cannot find: nothing can be
      // checked against them, and a guess would be a looser reading
      return [
        {
          id: 'intent.unresolved',
          severity: 'block',
          message:
            `Your intent "${ctx.reading.text.slice(0, 120)}" names something Hermit cannot resolve, ` +
            `so nothing can be checked against it: ${ctx.reading.unresolved}`,
          evidence: { reader: ctx.reading.reader },
        },
      ]
    }
    if (ctx.reading && !ctx.constraints) {
      return [
        {
          id: 'intent.not-understood',
          severity: 'info',
          message: `The intent "${ctx.reading.text.slice(0, 120)}" was not understood (${ctx.reading.described}): no intent is checked.`,
          evidence: { reader: ctx.reading.reader },
        },
      ]
    }
    const c = ctx.constraints
    if (!c) return []
    const findings: Finding[] = []
    // read-only intents have their own rule, with its own id
    if (c.readOnly) return []
    for (const out of userOutflows(ctx)) {
      const token = tokenOfAsset(out)
      const bound = c.maxOutflow.find((m) => refMatches(m.asset, out.asset))
      const lost = formatAmount(ctx, token, -out.delta)
      if (!bound) {
        findings.push(
          mismatch(`You would lose ${lost}, which your intent does not allow to leave.`, {
            asset: token,
            amount: (-out.delta).toString(),
          }),
        )
      } else if (bound.amount !== 'all' && -out.delta > bound.amount) {
        findings.push(
          mismatch(`You would lose ${lost}, more than the ${formatAmount(ctx, token, bound.amount)} you meant.`, {
            asset: token,
            amount: (-out.delta).toString(),
            allowed: bound.amount.toString(),
          }),
        )
      }
    }
    if (c.recipients !== null && c.maxOutflow.length > 0) {
      for (const to of outflowRecipients(ctx)) {
        if (c.recipients.some((r) => same(r, to))) continue
        findings.push(
          mismatch(
            c.recipients.length === 0
              ? `The assets go to ${nameOf(ctx, to)}, though your intent lets nobody receive them.`
              : `The assets go to ${nameOf(ctx, to)}, not to ${c.recipients.map((r) => nameOf(ctx, r)).join(' or ')}.`,
            { recipient: to, expected: c.recipients },
          ),
        )
      }
    }
    if (c.action === 'send' && userOutflows(ctx).length === 0)
      findings.push(mismatch('Nothing would be sent, though you meant to send.', {}))
    for (const want of c.minInflow) {
      // a stated swap minimum has its own rule (swap.below-minimum); here: something must arrive at all
      const got = inflowTo(ctx, c.inflowTo, want.asset)
      if (got <= 0n)
        findings.push(
          mismatch(
            `${isUserAccount(ctx, c.inflowTo) ? 'You expected to receive' : `You meant ${nameOf(ctx, c.inflowTo)} to receive`} ` +
              `${want.asset.kind === 'native' ? 'ETH' : symbolOf(ctx, want.asset.token)}, but the simulation shows none arriving.`,
            { expected: refToken(want.asset) },
          ),
        )
    }
    const granted = approvalsOf(ctx).filter((a) => approvalAmount(a) !== 0n)
    for (const ap of granted) {
      const allowed = c.approvals.filter(
        (x) => same(x.token, ap.token) && (x.spender === null || same(x.spender, ap.spender)),
      )
      if (allowed.length === 0) {
        const sameToken = c.approvals.find((x) => same(x.token, ap.token))
        findings.push(
          mismatch(
            sameToken
              ? `The spender is ${nameOf(ctx, ap.spender)}, not ${sameToken.spender ? nameOf(ctx, sameToken.spender) : 'the one you meant'}.`
              : `Grants ${nameOf(ctx, ap.spender)} an allowance on ${symbolOf(ctx, ap.token)}, which your intent ("${c.action}") does not call for.`,
            { spender: ap.spender, token: ap.token },
          ),
        )
        continue
      }
      const amount = approvalAmount(ap)
      const most = allowed.some((x) => x.amount === 'unlimited')
        ? null
        : allowed.reduce((m, x) => (x.amount !== 'unlimited' && x.amount > m ? x.amount : m), 0n)
      if (ap.kind === 'operator' && most !== null)
        findings.push(
          mismatch(
            `Gives ${nameOf(ctx, ap.spender)} control of all your ${symbolOf(ctx, ap.token)}, more than you meant.`,
            {
              spender: ap.spender,
              token: ap.token,
            },
          ),
        )
      else if (amount !== null && most !== null && amount > most)
        findings.push(
          mismatch(
            `Approves ${amount >= UNLIMITED_THRESHOLD ? 'an unlimited amount' : formatAmount(ctx, ap.token, amount)}, ` +
              `more than the ${formatAmount(ctx, ap.token, most)} you meant.`,
            { amount: amount.toString(), allowed: most.toString() },
          ),
        )
    }
    if (c.action === 'approve' && c.approvals.length > 0 && granted.length === 0)
      findings.push(mismatch('No approval would be granted, though you meant to approve.', {}))
    return [...findings, ...unverifiedTokens(ctx)]
  },
}

/** A read-only or sign-in intent: nothing may leave, no approval, no permit, no change of authority. */
export const readOnlyIntent: Rule = {
  id: 'intent.read-only',
  description:
    'The user only meant to read or sign in, but the request moves value, grants an allowance or changes authority.',
  check: (ctx) => {
    if (!ctx.constraints?.readOnly) return []
    const what = [
      ...userOutflows(ctx).map((o) => `you lose ${formatAmount(ctx, tokenOfAsset(o), -o.delta)}`),
      ...approvalsOf(ctx)
        .filter((a) => approvalAmount(a) !== 0n)
        .map((a) => `${nameOf(ctx, a.spender)} may spend your ${symbolOf(ctx, a.token)}`),
      ...ctx.effects.authority.map((a) => `${a.kind} of ${nameOf(ctx, a.contract)} changes`),
      ...(ctx.typedData?.order?.gives.length ? ['a marketplace order gives your assets away'] : []),
      ...(ctx.request.kind === 'transaction' && ctx.request.authorizationList?.length
        ? ['your account is delegated']
        : []),
    ]
    if (what.length === 0) return []
    return [
      {
        id: 'intent.read-only',
        severity: 'block',
        message: `You meant only to ${ctx.constraints.action === 'sign-in' ? 'sign in' : 'look'}, but ${what.join('; ')}.`,
        evidence: { effects: what },
      },
    ]
  },
}

/** "claim my free airdrop" that costs something: value leaves, or an allowance is granted. */
export const claimNotFree: Rule = {
  id: 'claim.not-free',
  description: 'A claim the user calls free (nothing may leave) that takes value or an approval.',
  check: (ctx) => {
    const c = ctx.constraints
    if (!c || c.action !== 'claim' || (!c.free && c.maxOutflow.length > 0)) return []
    const taken = userOutflows(ctx).filter((o) => isUserAccount(ctx, o.holder))
    const approvals = approvalsOf(ctx).filter((a) => approvalAmount(a) !== 0n)
    if (taken.length === 0 && approvals.length === 0) return []
    return [
      {
        id: 'claim.not-free',
        severity: 'block',
        message:
          'This "free" claim ' +
          [
            ...taken.map((o) => `takes ${formatAmount(ctx, tokenOfAsset(o), -o.delta)}`),
            ...approvals.map((a) => `lets ${nameOf(ctx, a.spender)} spend your ${symbolOf(ctx, a.token)}`),
          ].join(' and ') +
          '.',
        evidence: { outflows: taken.length, approvals: approvals.length },
      },
    ]
  },
}

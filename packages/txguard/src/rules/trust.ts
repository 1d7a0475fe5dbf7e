import type { Address } from 'viem'
import type { Finding, Rule } from '../context.ts'
import { approvalsOf, isUserAccount, nameOf, same } from './helpers.ts'

/**
 * Approving to, or depositing into, a contract that one key can upgrade with no delay: whatever the
 * code does today, tomorrow's code can take what was approved or deposited. A contract behind a
 * timelock or a multi-key Safe, or one nobody can upgrade, gets no finding here.
 */
export const instantUpgrade: Rule = {
  id: 'trust.instant-upgrade',
  description: 'An approval to, or a deposit into, a contract that one key can upgrade instantly.',
  check: (ctx) => {
    const trust = ctx.trust ?? {}
    const approved = approvalsOf(ctx).map((a) => a.spender)
    const deposited = ctx.effects.transfers
      .filter((t) => isUserAccount(ctx, t.from) && !isUserAccount(ctx, t.to) && ctx.accounts[t.to]?.isContract)
      .map((t) => t.to)
    const out: Finding[] = []
    const seen: Address[] = []
    for (const [target, how] of [
      ...approved.map((a) => [a, 'approve to'] as const),
      ...deposited.map((a) => [a, 'deposit into'] as const),
    ]) {
      if (seen.some((s) => same(s, target))) continue
      const facts = Object.entries(trust).find(([a]) => same(a, target))?.[1]
      if (!facts?.instantSingleKeyUpgrade) continue
      seen.push(target)
      out.push({
        id: 'trust.instant-upgrade',
        severity: 'warn',
        message:
          `${facts.upgrader ? facts.upgrader.charAt(0).toUpperCase() + facts.upgrader.slice(1) : 'One key'} can upgrade ` +
          `${nameOf(ctx, target)} with no delay: anything you ${how} it can be taken.`,
        evidence: { contract: target, summary: facts.summary },
      })
    }
    return out
  },
}

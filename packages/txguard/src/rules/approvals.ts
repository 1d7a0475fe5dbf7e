import { describeActivity, isActive } from '../activity.ts'
import { describeAge } from '../age.ts'
import type { AccountInfo, Finding, Rule, RuleContext } from '../context.ts'
import { UNLIMITED_THRESHOLD } from '../context.ts'
import type { Approval } from '../effects.ts'
import {
  approvalAmount,
  approvalsOf,
  formatAmount,
  isDappContract,
  isExpected,
  isKnown,
  nameOf,
  symbolOf,
} from './helpers.ts'

const describe = (a: ReturnType<typeof approvalsOf>[number]) =>
  a.kind === 'operator'
    ? 'operator approval for every token of the collection'
    : a.kind === 'erc721'
      ? `approval of NFT #${a.tokenId}`
      : a.kind === 'permit2'
        ? 'Permit2 allowance'
        : 'token allowance'

export const unlimitedApproval: Rule = {
  id: 'approval.unlimited',
  description: 'An allowance so large it never runs out (or an operator approval over a whole collection).',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      const amount = approvalAmount(a)
      if (a.kind === 'operator')
        return [
          {
            id: 'approval.unlimited',
            severity: 'warn',
            message: `Gives ${nameOf(ctx, a.spender)} control of ALL your ${symbolOf(ctx, a.token)} tokens.`,
            evidence: { token: a.token, spender: a.spender },
          },
        ]
      if (amount === null || amount < UNLIMITED_THRESHOLD) return []
      return [
        {
          id: 'approval.unlimited',
          severity: 'warn',
          message: `Unlimited ${symbolOf(ctx, a.token)} ${describe(a)} to ${nameOf(ctx, a.spender)}.`,
          evidence: { token: a.token, spender: a.spender, amount: amount.toString() },
        },
      ]
    }),
}

export const approvalExceedsBalance: Rule = {
  id: 'approval.exceeds-balance',
  description: 'A limited allowance still larger than what the user holds.',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      const amount = approvalAmount(a)
      const balance = ctx.tokens[a.token]?.userBalance
      if (amount === null || amount >= UNLIMITED_THRESHOLD || balance === undefined || amount <= balance) return []
      return [
        {
          id: 'approval.exceeds-balance',
          severity: 'warn',
          message:
            `Allows ${nameOf(ctx, a.spender)} to take ${formatAmount(ctx, a.token, amount)}, ` +
            `more than the ${formatAmount(ctx, a.token, balance)} you hold.`,
          evidence: { token: a.token, spender: a.spender, amount: amount.toString(), balance: balance.toString() },
        },
      ]
    }),
}

export const approvalToEoa: Rule = {
  id: 'approval.to-eoa',
  description:
    'An approval, operator approval, permit or Permit2 allowance to an address with no code: nobody but a thief needs that.',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      const info = ctx.accounts[a.spender]
      if (!info || info.isContract) return []
      return [
        {
          id: 'approval.to-eoa',
          severity: 'block',
          message:
            `The ${describe(a)} goes to ${nameOf(ctx, a.spender)}, a plain account (no contract): ` +
            `it could take your ${symbolOf(ctx, a.token)} at any time.`,
          evidence: { token: a.token, spender: a.spender, kind: a.kind },
        },
      ]
    }),
}

/** Unlimited, over a whole collection, or signed off-chain: the approvals a drainer asks for. */
const isSevere = (ctx: RuleContext, a: Approval): boolean => {
  const amount = approvalAmount(a)
  return a.kind === 'operator' || (amount !== null && amount >= UNLIMITED_THRESHOLD) || isPermit(ctx, a)
}
/** Granted by signing typed data (Permit, Permit2), not by a transaction: approvalsOf hands out the same objects. */
const isPermit = (ctx: RuleContext, a: Approval) => (ctx.typedData?.approvals ?? []).includes(a)

export const approvalToNewContract: Rule = {
  id: 'approval.to-new-contract',
  description: 'An approval to a contract created only recently that the user does not know.',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      const info = ctx.accounts[a.spender]
      if (!info?.isContract || info.recent !== true || isKnown(ctx, a.spender)) return []
      const amount = approvalAmount(a)
      const severe = a.kind === 'operator' || (amount !== null && amount >= UNLIMITED_THRESHOLD)
      return [
        {
          id: 'approval.to-new-contract',
          severity: severe ? 'block' : 'warn',
          message:
            `The ${describe(a)} goes to ${nameOf(ctx, a.spender)}, ` +
            `a contract created within the last ${ctx.policy.recentBlocks} blocks that is not in your address book` +
            `${info.age ? `: ${describeAge(info.age)}` : ''}.`,
          evidence: { token: a.token, spender: a.spender, ...ageEvidence(info) },
        },
      ]
    }),
}

export const approvalToUnknownContract: Rule = {
  id: 'approval.to-unknown-contract',
  description:
    'An unlimited approval, operator approval or permit to a contract whose age the node cannot tell, ' +
    'that few accounts use and the user does not know: unknown is not old.',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      const info = ctx.accounts[a.spender]
      if (!info?.isContract || info.age === null || info.recent !== null || isKnown(ctx, a.spender)) return []
      if (!isSevere(ctx, a) || isActive(info.activity, ctx.policy.activeAccounts)) return []
      const use = info.activity
        ? `${describeActivity(info.activity)}, fewer than the ${ctx.policy.activeAccounts} that make it well used`
        : 'its use was not counted'
      return [
        {
          id: 'approval.to-unknown-contract',
          severity: 'warn',
          message:
            `The ${describe(a)} goes to ${nameOf(ctx, a.spender)}, a contract not in your address book ` +
            `that may have been created within the last ${ctx.policy.recentBlocks} blocks: ` +
            `${describeAge(info.age)}; ${use}.`,
          evidence: { token: a.token, spender: a.spender, ...ageEvidence(info) },
        },
      ]
    }),
}

/** The age and activity answers, as JSON-safe evidence. */
const ageEvidence = (info: AccountInfo) => ({
  ...(info.age
    ? { age: describeAge(info.age), ageMethod: info.age.status === 'unknown' ? null : info.age.method }
    : {}),
  ...(info.activity ? { activity: describeActivity(info.activity) } : {}),
})

export const unexpectedSpender: Rule = {
  id: 'counterparty.unexpected-spender',
  description: 'The spender is neither a contract the dapp says it uses nor one the user knows.',
  check: (ctx) =>
    approvalsOf(ctx).flatMap((a): Finding[] => {
      if (
        isExpected(ctx, a.spender) ||
        isDappContract(ctx, a.spender) ||
        (ctx.request.kind === 'transaction' && a.spender === ctx.request.to)
      )
        return []
      return [
        {
          id: 'counterparty.unexpected-spender',
          severity: 'warn',
          message:
            `${nameOf(ctx, a.spender)} would be allowed to move your ${symbolOf(ctx, a.token)}, ` +
            'but it is not a contract this dapp declared nor one you know.',
          evidence: { spender: a.spender, token: a.token },
        },
      ]
    }),
}

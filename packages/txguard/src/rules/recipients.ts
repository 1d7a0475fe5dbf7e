import { toFunctionSelector, type Address } from 'viem'
import { CANONICAL_PERMIT2 } from './typed.ts'
import type { Finding, Rule, RuleContext } from '../context.ts'
import type { Transfer } from '../effects.ts'
import {
  approvalsOf,
  formatAmount,
  isBurn,
  isUserAccount,
  nameOf,
  outflowRecipients,
  refMatches,
  same,
  symbolOf,
} from './helpers.ts'

const assetToken = (t: Transfer): Address | 'native' => (t.asset.kind === 'native' ? 'native' : t.asset.token)
const describe = (ctx: RuleContext, t: Transfer) =>
  t.asset.kind === 'erc721'
    ? `${symbolOf(ctx, t.asset.token)} #${t.asset.tokenId}`
    : t.asset.kind === 'erc1155'
      ? `${t.amount} × ${symbolOf(ctx, t.asset.token)} #${t.asset.id}`
      : formatAmount(ctx, assetToken(t), t.amount)

/** ERC-20/721/1155 transfer functions: a Transfer they emit for the caller's own tokens is the user sending. */
const TRANSFER_SELECTORS = new Set<string>(
  [
    'function transfer(address,uint256)',
    'function transferFrom(address,address,uint256)',
    'function safeTransferFrom(address,address,uint256)',
    'function safeTransferFrom(address,address,uint256,bytes)',
    'function safeTransferFrom(address,address,uint256,uint256,bytes)',
    'function safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)',
  ].map((f) => toFunctionSelector(f)),
)

/**
 * Tokens the user sends by calling a transfer function on the token (not a burn or a pull inside
 * some protocol): where they land is exactly where the user sent them.
 */
const ownTransfers = (ctx: RuleContext) =>
  ctx.effects.transfers.filter(
    (t) =>
      t.asset.kind !== 'native' &&
      isUserAccount(ctx, t.from) &&
      !isUserAccount(ctx, t.to) &&
      t.by !== undefined &&
      isUserAccount(ctx, t.by) &&
      t.via !== undefined &&
      TRANSFER_SELECTORS.has(t.via),
  )

/**
 * The intent names this recipient as part of a protocol action: an unwrap burns the wrapper's
 * tokens, a deposit goes to a vault that is a token itself. A *send* to a token contract or a burn
 * address is the mistake this rule is for, even when the user typed it.
 */
const allowedByIntent = (ctx: RuleContext, to: Address) =>
  ctx.constraints !== null &&
  ctx.constraints.action !== 'send' &&
  (ctx.constraints.recipients ?? []).some((r) => same(r, to))

const isTokenContract = (ctx: RuleContext, a: Address) => {
  const kind = ctx.tokens[a]?.kind
  return kind === 'erc20' || kind === 'erc721' || kind === 'erc1155'
}

export const recipientTokenContract: Rule = {
  id: 'recipient.token-contract',
  description: 'The user sends assets straight to a token contract, where nobody can ever get them out.',
  check: (ctx) =>
    ownTransfers(ctx).flatMap((t): Finding[] => {
      if ((!isTokenContract(ctx, t.to) && !same(t.to, assetToken(t))) || allowedByIntent(ctx, t.to)) return []
      return [
        {
          id: 'recipient.token-contract',
          severity: 'block',
          message: `Sends ${describe(ctx, t)} to the token contract ${nameOf(ctx, t.to)}: a token contract cannot send it back.`,
          evidence: { recipient: t.to, asset: assetToken(t) },
        },
      ]
    }),
}

export const recipientBurn: Rule = {
  id: 'recipient.burn',
  description: 'The user sends assets to a burn address (0x0…0, 0x…dEaD): they are gone for good.',
  check: (ctx) => {
    const r = ctx.request
    const burns = ownTransfers(ctx).filter((t) => isBurn(t.to) && !allowedByIntent(ctx, t.to))
    const findings = burns.map(
      (t): Finding => ({
        id: 'recipient.burn',
        severity: 'block',
        message: `Sends ${describe(ctx, t)} to the burn address ${t.to}: nobody can ever spend it again.`,
        evidence: { recipient: t.to, asset: assetToken(t) },
      }),
    )
    // the simulation drops transfers to 0x0 from balances; the value sent there is still gone
    if (r.kind === 'transaction' && r.to && isBurn(r.to) && r.value > 0n && findings.length === 0)
      findings.push({
        id: 'recipient.burn',
        severity: 'block',
        message: `Sends ${formatAmount(ctx, 'native', r.value)} to the burn address ${r.to}.`,
        evidence: { recipient: r.to, asset: 'native' },
      })
    return findings
  },
}

export const callToNoCode: Rule = {
  id: 'call.no-code',
  description:
    'Calldata sent to an address with no code: nothing runs, and whatever it was meant to do will not happen.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'transaction' || !r.to || r.data === '0x') return []
    const info = ctx.accounts[r.to]
    if (!info || info.isContract || info.delegated) return []
    return [
      {
        id: 'call.no-code',
        severity: 'warn',
        message:
          `Calls ${nameOf(ctx, r.to)} with data, but there is no contract there: the data does nothing` +
          `${r.value > 0n ? ', and the ETH just goes to that account' : ''}.`,
        evidence: { to: r.to, selector: r.data.slice(0, 10) },
      },
    ]
  },
}

/** Whether the intent calls for this outflow: its asset within bounds, to an allowed recipient. */
function intentCallsFor(ctx: RuleContext, t: Transfer): boolean {
  const c = ctx.constraints
  if (!c || c.readOnly) return false
  const bound = c.maxOutflow.find((m) => refMatches(m.asset, t.asset))
  if (!bound) return false
  if (bound.amount !== 'all' && t.amount > bound.amount) return false
  return c.recipients === null || c.recipients.some((r) => same(r, t.to))
}

export const pulledThroughAllowance: Rule = {
  id: 'allowance.pulled',
  description:
    "The user's assets are pulled by a spender (transferFrom, Permit2) through an allowance granted earlier, which the intent does not call for.",
  check: (ctx) => {
    const grantedNow = approvalsOf(ctx)
    return ctx.effects.transfers.flatMap((t): Finding[] => {
      if (!isUserAccount(ctx, t.from) || isUserAccount(ctx, t.to) || !t.by || isUserAccount(ctx, t.by)) return []
      if (t.asset.kind === 'native') return []
      // an allowance granted in this very request is judged by the approval rules
      if (grantedNow.some((a) => same(a.token, assetToken(t)) && same(a.spender, t.by))) return []
      if (intentCallsFor(ctx, t)) return []
      // without an intent, a pull by the contract the user calls (or by Permit2 for it, as routers do) is the usual swap or deposit
      if (
        !ctx.constraints &&
        ctx.request.kind === 'transaction' &&
        (same(t.by, ctx.request.to) || same(t.by, CANONICAL_PERMIT2))
      )
        return []
      return [
        {
          id: 'allowance.pulled',
          severity: ctx.constraints ? 'block' : 'warn',
          message:
            `${nameOf(ctx, t.by)} pulls ${describe(ctx, t)} out of your wallet to ${nameOf(ctx, t.to)} ` +
            `through an allowance you gave earlier${ctx.constraints ? ', which your intent does not call for' : ''}.`,
          evidence: { spender: t.by, recipient: t.to, asset: assetToken(t), amount: t.amount.toString() },
        },
      ]
    })
  },
}

export const dustSender: Rule = {
  id: 'recipient.poisoning',
  description:
    'A recipient or spender known only from zero-value or dust transfers with the user: the mark an address poisoner leaves in the history.',
  check: (ctx) => {
    const r = ctx.request
    const candidates = new Set<Address>([
      ...outflowRecipients(ctx),
      ...approvalsOf(ctx).map((a) => a.spender),
      ...(r.kind === 'transaction' && r.to ? [r.to] : []),
    ])
    return [...candidates].flatMap((a): Finding[] =>
      // even when the user typed it: a poisoned address is exactly what gets copied and typed
      ctx.history.dust.includes(a.toLowerCase())
        ? [
            {
              id: 'recipient.poisoning',
              severity: 'block',
              message:
                `${a} appears in your history only through zero-value or dust transfers: ` +
                'that is how address poisoners plant an address for you to copy.',
              evidence: { address: a },
            },
          ]
        : [],
    )
  },
}

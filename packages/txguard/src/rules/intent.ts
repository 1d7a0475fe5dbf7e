import { isAddressEqual, type Address } from 'viem'
import type { Finding, Rule, RuleContext } from '../context.ts'
import { UNLIMITED_THRESHOLD } from '../context.ts'
import { intentUnits, resolveName } from '../intent.ts'
import {
  approvalAmount,
  approvalsOf,
  formatAmount,
  nameOf,
  outflowRecipients,
  same,
  symbolOf,
  tokenOfAsset,
  userInflows,
  userOutflows,
} from './helpers.ts'

/**
 * The symbol an asset answers to *for matching the intent*: ETH for native, the user's own name for a
 * token on their list; otherwise the token's self-declared symbol(), which anyone can fake, so such
 * matches are reported (intent.unverified-token).
 */
function listedSymbol(ctx: RuleContext, token: Address): string | undefined {
  return Object.entries(ctx.policy.tokens).find(([, a]) => isAddressEqual(a, token))?.[0]
}
const symbolOfAsset = (ctx: RuleContext, token: Address | 'native') =>
  token === 'native' ? 'ETH' : (listedSymbol(ctx, token) ?? ctx.tokens[token]?.symbol ?? token)
const decimalsOf = (ctx: RuleContext, token: Address | 'native') =>
  token === 'native' ? 18 : (ctx.tokens[token]?.decimals ?? 0)

function unverified(ctx: RuleContext, findings: Finding[], symbol: string, token: Address): void {
  if (findings.some((f) => f.id === 'intent.unverified-token' && f.evidence.token === token)) return
  findings.push({
    id: 'intent.unverified-token',
    severity: 'warn',
    message: `"${symbol}" was matched by the token's own symbol(): ${token} is not on your token list, and any contract can call itself ${symbol}.`,
    evidence: { token, symbol },
  })
}

function mismatch(message: string, evidence: Record<string, unknown>): Finding {
  return { id: 'intent.mismatch', severity: 'block', message, evidence }
}

/**
 * Compares what the user said ("send 0.2 ETH to alice", "swap 100 USDC for WETH") with what the
 * simulation shows leaving and entering the wallet.
 */
export const intentMismatch: Rule = {
  id: 'intent.mismatch',
  description: 'Value or token flows that do not match the intent the user stated.',
  check: (ctx) => {
    if (ctx.intentText && !ctx.intent) {
      return [
        {
          id: 'intent.not-understood',
          severity: 'info',
          message: `The intent "${ctx.intentText.slice(0, 120)}" was not understood by the deterministic checks.`,
          evidence: {},
        },
      ]
    }
    const intent = ctx.intent
    if (!intent) return []
    const findings: Finding[] = []
    const allowed = new Map(intent.outflows.map((o) => [o.symbol.toLowerCase(), o.amount]))
    for (const out of userOutflows(ctx)) {
      const token = tokenOfAsset(out)
      const symbol = symbolOfAsset(ctx, token)
      const stated = allowed.get(symbol.toLowerCase())
      if (stated === undefined) {
        findings.push(
          mismatch(`You would lose ${formatAmount(ctx, token, -out.delta)}, which your intent does not mention.`, {
            asset: token,
            amount: (-out.delta).toString(),
          }),
        )
        continue
      }
      const units = stated === 'all' ? null : intentUnits(stated, decimalsOf(ctx, token))
      if (units !== null && -out.delta > units) {
        findings.push(
          mismatch(
            `You would lose ${formatAmount(ctx, token, -out.delta)}, more than the ${stated} ${symbol} you meant.`,
            { asset: token, amount: (-out.delta).toString(), stated },
          ),
        )
      }
    }
    if (intent.action === 'send') {
      const expected = resolveName(intent.counterparty, ctx.policy.addressBook)
      const recipients = outflowRecipients(ctx)
      if (recipients.length === 0 && userOutflows(ctx).length === 0)
        findings.push(mismatch('Nothing would be sent, though you meant to send.', {}))
      for (const to of recipients) {
        if (expected && !same(to, expected))
          findings.push(
            mismatch(`The assets go to ${nameOf(ctx, to)}, not to ${intent.counterparty} (${expected}).`, {
              recipient: to,
              expected,
            }),
          )
        if (!expected)
          findings.push(
            mismatch(
              `"${intent.counterparty}" is not in your address book, so the recipient ${nameOf(ctx, to)} cannot be checked.`,
              { recipient: to, name: intent.counterparty },
            ),
          )
      }
    }
    if (intent.inflows.length > 0) {
      const got = userInflows(ctx).map((c) => ({
        token: tokenOfAsset(c),
        symbol: symbolOfAsset(ctx, tokenOfAsset(c)).toLowerCase(),
      }))
      for (const want of intent.inflows) {
        const hit = got.find((g) => g.symbol === want.toLowerCase())
        if (!hit)
          findings.push(
            mismatch(`You expected to receive ${want}, but the simulation shows none coming back.`, { expected: want }),
          )
        else if (hit.token !== 'native' && !listedSymbol(ctx, hit.token)) unverified(ctx, findings, want, hit.token)
      }
    }
    for (const out of userOutflows(ctx)) {
      const token = tokenOfAsset(out)
      if (token !== 'native' && !listedSymbol(ctx, token) && allowed.has(symbolOfAsset(ctx, token).toLowerCase()))
        unverified(ctx, findings, symbolOfAsset(ctx, token), token)
    }
    const approvals = approvalsOf(ctx)
    if (intent.action === 'approve' && intent.approval) {
      const a = intent.approval
      for (const ap of approvals) {
        if (symbolOfAsset(ctx, ap.token).toLowerCase() !== a.symbol.toLowerCase())
          findings.push(mismatch(`Approves ${symbolOf(ctx, ap.token)}, not ${a.symbol}.`, { token: ap.token }))
        else if (!listedSymbol(ctx, ap.token)) unverified(ctx, findings, a.symbol, ap.token)
        const expectedSpender = resolveName(a.spender, ctx.policy.addressBook)
        if (a.spender && !same(ap.spender, expectedSpender))
          findings.push(
            mismatch(`The spender is ${nameOf(ctx, ap.spender)}, not ${a.spender}.`, { spender: ap.spender }),
          )
        const amount = approvalAmount(ap)
        const units = a.amount === 'unlimited' ? null : intentUnits(a.amount, ctx.tokens[ap.token]?.decimals ?? 0)
        if (amount !== null && units !== null && amount > units)
          findings.push(
            mismatch(
              `Approves ${amount >= UNLIMITED_THRESHOLD ? 'an unlimited amount' : formatAmount(ctx, ap.token, amount)}, ` +
                `more than the ${a.amount} ${a.symbol} you meant.`,
              { amount: amount.toString() },
            ),
          )
      }
      if (approvals.length === 0)
        findings.push(mismatch('No approval would be granted, though you meant to approve.', {}))
    } else {
      for (const ap of approvals) {
        findings.push(
          mismatch(
            `Grants ${nameOf(ctx, ap.spender)} an allowance on ${symbolOf(ctx, ap.token)}, which your intent ("${intent.action}") does not call for.`,
            { spender: ap.spender, token: ap.token },
          ),
        )
      }
    }
    return findings
  },
}

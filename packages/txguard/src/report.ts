import { formatUnits, type Address } from 'viem'
import { describeActivity } from './activity.ts'
import { describeAge } from './age.ts'
import type { AccountInfo, Finding, RuleContext, Verdict } from './context.ts'
import type { DecodedCall } from './decode.ts'
import type { Approval, AuthorityChange } from './effects.ts'
import type { Judgement } from './judge.ts'
import { formatAmount, nameOf, same, symbolOf } from './rules/helpers.ts'

export type AssetChangeRow = {
  holder: Address
  holderName: string
  asset: string
  /** Untrusted: the token's own symbol. */
  symbol: string
  delta: bigint
  formatted: string
}

export type ModelReport =
  | { consulted: true; provider: string; model: string; judgement: Judgement; raised: boolean }
  | { consulted: false; reason: string }

export type Report = {
  verdict: Verdict
  /** The verdict of the rules alone; the model may only raise it. */
  deterministicVerdict: Verdict
  /** The user's words as read ("your intent as read: …") and which reader read them; null without words. */
  intent: { text: string; asRead: string; reader: string; notes: string[] } | null
  reasons: Finding[]
  summary: string[]
  changes: AssetChangeRow[]
  approvals: Approval[]
  authority: AuthorityChange[]
  decoded: DecodedCall | null
  simulation: { success: boolean; revertReason?: string; gasUsed: bigint } | null
  model: ModelReport
  request: { kind: string; chainId: number; from: Address; to: Address | null }
  /** Every address involved: code, age (and which method said so, or why unknown), activity, address-book name. */
  accounts: Record<Address, AccountInfo>
  /** Whom the request deals with (recipients, spenders, the contract called): what the signing record keeps. */
  counterparties: Address[]
  durationMs: number
}

const ORDER = { block: 0, warn: 1, info: 2 } as const

export function verdictOf(findings: Finding[]): Verdict {
  if (findings.some((f) => f.severity === 'block')) return 'block'
  if (findings.some((f) => f.severity === 'warn')) return 'warn'
  return 'allow'
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
}

export function changeRows(ctx: RuleContext): AssetChangeRow[] {
  return ctx.changes.map((c) => {
    const token = c.asset.kind === 'native' ? 'native' : c.asset.token
    const symbol = c.asset.kind === 'native' ? 'ETH' : symbolOf(ctx, c.asset.token)
    const sign = c.delta > 0n ? '+' : '-'
    const abs = c.delta < 0n ? -c.delta : c.delta
    const formatted =
      c.asset.kind === 'erc721'
        ? `${sign}NFT #${c.asset.tokenId} ${symbol}`
        : c.asset.kind === 'erc1155'
          ? `${sign}${abs} × #${c.asset.id} ${symbol}`
          : `${sign}${formatAmount(ctx, token, abs)}`
    return {
      holder: c.holder,
      holderName: same(c.holder, ctx.user) ? 'you' : nameOf(ctx, c.holder),
      asset: token,
      symbol,
      delta: c.delta,
      formatted,
    }
  })
}

/** Plain words, without a model: what would happen. */
export function plainSummary(ctx: RuleContext): string[] {
  const lines: string[] = []
  const r = ctx.request
  if (r.kind === 'raw-sign')
    lines.push(
      r.text === undefined
        ? `A raw ${r.method} signature over ${(r.message.length - 2) / 2} bytes.`
        : // the text as the wallet will show it, quoted so it cannot pass for Hermit's own words
          `A ${r.method} signature over this text: ${JSON.stringify(r.text.length > 500 ? `${r.text.slice(0, 500)}…` : r.text)}.`,
    )
  if (r.kind === 'typed-data')
    lines.push(`An off-chain ${ctx.typedData?.kind ?? 'EIP-712'} signature ("${r.typedData.primaryType}").`)
  if (r.kind === 'transaction') {
    const fn =
      ctx.decoded?.signature ??
      (ctx.decoded?.source === 'plain-transfer' ? 'a plain transfer' : `unknown function ${ctx.decoded?.selector}`)
    lines.push(
      `Calls ${fn}${r.to ? ` on ${nameOf(ctx, r.to)}` : ' to create a contract'}${r.value > 0n ? ` with ${formatUnits(r.value, 18)} ETH` : ''}.`,
    )
    if (ctx.simulation && !ctx.simulation.success)
      lines.push(`It would fail: ${ctx.simulation.revertReason ?? 'reverted'}.`)
  }
  for (const row of changeRows(ctx).filter((x) => x.holderName === 'you'))
    lines.push(`You ${row.delta < 0n ? 'lose' : 'get'} ${row.formatted.slice(1)}.`)
  for (const a of [...ctx.effects.approvals, ...(ctx.typedData?.approvals ?? [])]) {
    if (a.kind === 'operator')
      lines.push(
        `${a.approved ? 'Gives' : 'Removes'} ${nameOf(ctx, a.spender)} control of all your ${symbolOf(ctx, a.token)}.`,
      )
    else if (a.kind === 'erc721')
      lines.push(`Lets ${nameOf(ctx, a.spender)} take your ${symbolOf(ctx, a.token)} #${a.tokenId}.`)
    else
      lines.push(
        `Lets ${nameOf(ctx, a.spender)} spend ${a.amount >= 2n ** 159n ? 'UNLIMITED' : formatAmount(ctx, a.token, a.amount)} ` +
          `of your ${symbolOf(ctx, a.token)}.`,
      )
  }
  for (const line of spenderLines(ctx)) lines.push(line)
  for (const a of ctx.effects.authority) {
    if (a.kind === 'upgrade')
      lines.push(`Switches ${nameOf(ctx, a.contract)} to new code at ${nameOf(ctx, a.implementation)}.`)
    else if (a.kind === 'beacon') lines.push(`Points ${nameOf(ctx, a.contract)} at beacon ${nameOf(ctx, a.beacon)}.`)
    else if (a.kind === 'safe-config')
      lines.push(
        `Changes the Safe ${nameOf(ctx, a.contract)}: ${a.event}${a.target ? ` ${nameOf(ctx, a.target)}` : ''}.`,
      )
    else lines.push(`Moves ${a.kind} of ${nameOf(ctx, a.contract)} to ${nameOf(ctx, a.to)}.`)
  }
  if (ctx.typedData?.order)
    lines.push(
      `Lists ${ctx.typedData.order.gives.length} asset(s) for ${ctx.typedData.order.receives.length} asset(s) in return.`,
    )
  return lines
}

/** What the chain says about each contract granted an allowance: its age (or why unknown) and its use. */
function spenderLines(ctx: RuleContext): string[] {
  const spenders = [...new Set([...ctx.effects.approvals, ...(ctx.typedData?.approvals ?? [])].map((a) => a.spender))]
  return spenders.flatMap((s) => {
    const info = ctx.accounts[s]
    if (!info?.age) return []
    const use = info.activity ? `; ${describeActivity(info.activity)}` : ''
    return [`${nameOf(ctx, s)} is a contract ${describeAge(info.age)}${use}.`]
  })
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length))

/** The report for a terminal: verdict, plain words, asset changes as a table, reasons. */
export function formatReport(report: Report): string {
  const out: string[] = []
  const badge = { allow: 'ALLOW', warn: 'WARN', block: 'BLOCK' }[report.verdict]
  out.push(`${badge}  (${report.request.kind} on chain ${report.request.chainId} from ${report.request.from})`)
  if (report.intent) {
    out.push(`Your intent as read: ${report.intent.asRead}`)
    for (const n of report.intent.notes) out.push(`  - ${n}`)
  }
  out.push('', 'What would happen:', ...report.summary.map((l) => `  - ${l}`))
  if (report.changes.length > 0) {
    const rows = report.changes.map((c) => [c.holderName, c.formatted])
    const w = Math.max(6, ...rows.map((r) => r[0]!.length))
    out.push(
      '',
      'Asset changes (simulated):',
      `  ${pad('holder', w)}  change`,
      `  ${'-'.repeat(w)}  ${'-'.repeat(24)}`,
      ...rows.map((r) => `  ${pad(r[0]!, w)}  ${r[1]}`),
    )
  }
  if (report.reasons.length > 0)
    out.push('', 'Reasons:', ...report.reasons.map((f) => `  [${f.severity}] ${f.id}: ${f.message}`))
  out.push('')
  if (report.model.consulted) {
    out.push(`Model (${report.model.provider}): ${report.model.judgement.summary}`)
    for (const c of report.model.judgement.concerns) out.push(`  - ${c}`)
    if (report.model.raised)
      out.push(`  The model raised the verdict from ${report.deterministicVerdict} to ${report.verdict}.`)
  } else out.push(`Model: ${report.model.reason}`)
  return out.join('\n')
}

/** JSON for machines: bigints as decimal strings. */
export function reportToJson(report: Report): string {
  return JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)
}

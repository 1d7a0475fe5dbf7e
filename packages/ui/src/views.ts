import { formatEther, numberToHex } from 'viem'
import type { Proposal } from '@hermit/proposer'
import type { Report } from '@hermit/txguard'
import type { ProposalView, ReportView } from './view.ts'

/** A txguard report as the page shows it: words, formatted amounts, no bigints. */
export function reportView(r: Report): ReportView {
  return {
    verdict: r.verdict,
    summary: r.summary,
    reasons: r.reasons.map((f) => ({ id: f.id, severity: f.severity, message: f.message })),
    changes: r.changes.map((c) => ({
      holder: c.holder,
      holderName: c.holderName,
      symbol: c.symbol,
      formatted: c.formatted,
    })),
    decoded: r.decoded?.signature ?? null,
    simulated: r.simulation
      ? {
          success: r.simulation.success,
          ...(r.simulation.revertReason ? { revertReason: r.simulation.revertReason } : {}),
        }
      : null,
    model: r.model.consulted
      ? {
          consulted: true,
          model: `${r.model.provider}:${r.model.model}`,
          summary: r.model.judgement.summary,
          concerns: r.model.judgement.concerns,
          verdict: r.model.judgement.verdict,
          raised: r.model.raised,
        }
      : { consulted: false, reason: r.model.reason },
    request: r.request,
    intent: r.intent ? { asRead: r.intent.asRead, reader: r.intent.reader } : null,
  }
}

export function proposalView(id: string, p: Proposal): ProposalView {
  return {
    id,
    words: p.words,
    chainId: p.chainId,
    user: p.user,
    reader: p.reading.reader,
    asRead: p.reading.described,
    model: p.reading.model,
    notes: p.notes,
    verdict: p.verdict,
    reasons: p.reasons.map((f) => ({ id: f.id, severity: f.severity, message: f.message, step: f.step })),
    steps: p.steps.map((s) => ({
      meaning: s.meaning,
      to: s.call.to,
      value: `${formatEther(s.call.value)} ETH`,
      gas: s.gas.toString(),
      report: reportView(s.report),
    })),
    txs: p.steps.map((s) => ({
      from: p.user,
      to: s.call.to,
      data: s.call.data,
      value: numberToHex(s.call.value),
      gas: numberToHex(s.gas),
    })),
  }
}

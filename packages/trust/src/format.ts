import { CAPABILITIES, type Controller, type TrustReport } from './schema.ts'
import { formatDelay, short } from './summary.ts'

const PROXY_NAMES: Record<TrustReport['proxy']['kind'], string> = {
  none: 'not a proxy',
  'eip1967-transparent': 'EIP-1967 transparent proxy',
  'eip1967-uups': 'EIP-1967 UUPS proxy',
  eip1967: 'EIP-1967 proxy (upgraded by its own code)',
  beacon: 'beacon proxy',
  eip1167: 'EIP-1167 minimal proxy (clone, not upgradeable)',
  diamond: 'EIP-2535 diamond',
  eip7702: 'EIP-7702 delegated EOA',
}

/** "EOA 0x12…ab", "Safe 0x34…cd (2 of 3)", "timelock 0x56…ef (openzeppelin, 2 days)". */
export function describeController(c: Controller): string {
  const base = `${c.kind === 'contract' ? 'contract' : c.kind === 'eoa' ? 'EOA' : c.kind === 'safe' ? 'Safe' : c.kind} ${short(c.address)}`
  if (c.safe) return `${base} (${c.safe.threshold} of ${c.safe.owners.length})`
  if (c.timelock) return `${base} (${c.timelock.style}, ${formatDelay(c.timelock.minDelaySeconds)})`
  if (c.kind === 'contract' && c.controllers.length === 0) return `${base} (unknown kind)`
  return base
}

/** A controller and who stands behind it, one line per level. */
function tree(c: Controller, depth: number): string[] {
  const lead = depth === 0 ? '' : `${'  '.repeat(depth - 1)}↳ `
  return [
    `${lead}${describeController(c)}${c.truncated ? ' (not followed further)' : ''}`,
    ...c.controllers.flatMap((child) => tree(child, depth + 1)),
  ]
}

/** The report as a table for people: what it is, who holds which power, and the headline. */
export function formatTrust(report: TrustReport): string {
  const lines = [
    `Contract   ${report.address} (chain ${report.chainId}, block ${report.blockNumber})`,
    `Kind       ${report.code === 'none' ? 'no code (EOA)' : PROXY_NAMES[report.proxy.kind]}`,
  ]
  if (report.proxy.implementation) lines.push(`Runs       ${report.proxy.implementation}`)
  if (report.proxy.admin) lines.push(`Admin      ${report.proxy.admin}`)
  if (report.proxy.beacon) lines.push(`Beacon     ${report.proxy.beacon}`)
  for (const f of report.proxy.facets) lines.push(`Facet      ${f}`)
  if (report.owner) lines.push(`Owner      ${report.owner}`)
  if (report.powers.length > 0) {
    // one row per holder and way it was found, its powers together: the same key is drawn once
    const groups = new Map<string, { caps: string[]; via: string; held: string[] }>()
    for (const p of report.powers) {
      const key = `${p.via}|${p.holder.address}`
      const g = groups.get(key) ?? { caps: [], via: p.via, held: tree(p.holder, 0) }
      g.caps.push(p.capability)
      groups.set(key, g)
    }
    const rows = [...groups.values()].map((g) => ({ ...g, caps: sortCaps(g.caps).join(', ') }))
    const w1 = Math.max(6, ...rows.map((r) => r.caps.length))
    const w2 = Math.max(3, ...rows.map((r) => r.via.length))
    lines.push('', `${'POWERS'.padEnd(w1)}  ${'VIA'.padEnd(w2)}  HELD BY`)
    for (const r of rows) {
      lines.push(`${r.caps.padEnd(w1)}  ${r.via.padEnd(w2)}  ${r.held[0]}`)
      for (const more of r.held.slice(1)) lines.push(`${''.padEnd(w1)}  ${''.padEnd(w2)}  ${more}`)
    }
  }
  lines.push('', report.summary)
  return lines.join('\n')
}

/** In the order of CAPABILITIES (upgrade first): the same order in every row and every report. */
const sortCaps = (caps: readonly string[]): string[] => CAPABILITIES.filter((c) => caps.includes(c))

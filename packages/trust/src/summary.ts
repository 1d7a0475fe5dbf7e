import type { Address } from 'viem'
import { CAPABILITIES, type Power, type TrustPath, type TrustReport } from './schema.ts'

export const short = (a: Address) => `${a.slice(0, 6)}…${a.slice(-4)}`

/** Seconds as a person reads them: "no delay", "2 days", "1 hour 30 minutes". */
export function formatDelay(seconds: string | bigint): string {
  let s = BigInt(seconds)
  if (s === 0n) return 'no delay'
  const parts: string[] = []
  for (const [unit, size] of [
    ['day', 86_400n],
    ['hour', 3_600n],
    ['minute', 60n],
    ['second', 1n],
  ] as const) {
    const n = s / size
    if (n > 0n && parts.length < 2) parts.push(`${n} ${unit}${n === 1n ? '' : 's'}`)
    s %= size
  }
  return parts.join(' ')
}

/** "one EOA (0x12…ab)", "2 keys (0x12…ab and others, through Safe 0x34…cd)", "a contract of unknown kind (…)". */
export function describeHolder(path: TrustPath): string {
  const first = path.route[0]!
  const through = path.route.slice(1).map((h) => `${h.kind === 'contract' ? 'contract' : h.kind} ${short(h.address)}`)
  const tail = through.length > 0 ? `, through ${through.join(' → ')}` : ''
  if (path.keys === null) return `a contract of unknown kind (${short(path.route.at(-1)!.address)})`
  if (path.keys === 1)
    return first.kind === 'eoa' && through.length === 0
      ? `one EOA (${short(first.address)})`
      : `one key (${first.kind} ${short(first.address)}${tail})`
  const safeAt = path.route.findIndex((h) => h.kind === 'safe')
  if (safeAt < 0) return `${path.keys} keys (${first.kind} ${short(first.address)} and others${tail})`
  const after = path.route.slice(safeAt + 1).map((h) => `${h.kind} ${short(h.address)}`)
  return `${path.keys} keys (owners of Safe ${short(path.route[safeAt]!.address)}${after.length > 0 ? `, through ${after.join(' → ')}` : ''})`
}

const when = (path: TrustPath) =>
  path.delaySeconds === '0' ? 'with no delay' : `only after a ${formatDelay(path.delaySeconds)} delay`

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** The headline: the cheapest path from one key to an upgrade or a fund movement, and its delay. */
export function summarize(report: Omit<TrustReport, 'summary'>, powers: readonly Power[]): string {
  if (report.code === 'none') return 'No code at this address: an account that whoever holds its key controls.'
  const { upgrade, moveFunds } = report.shortest
  if (upgrade) {
    const who = describeHolder(upgrade)
    if (upgrade.keys === null)
      return `${capitalised(who)} can upgrade this contract: Hermit cannot tell how many keys or how long that takes, so treat it as one key with no delay.`
    const consequence =
      upgrade.delaySeconds !== '0'
        ? `: an upgrade is visible ${formatDelay(upgrade.delaySeconds)} before it takes effect, time to withdraw and revoke approvals.`
        : upgrade.keys === 1
          ? ': anything you approve to it can be taken.'
          : ': anything you approve to it is as safe as those keys.'
    const subject = report.proxy.kind === 'eip7702' ? 'this account (EIP-7702 delegated EOA)' : 'this contract'
    return `${capitalised(who)} can upgrade ${subject} ${when(upgrade)}${consequence}`
  }
  if (moveFunds && moveFunds.keys !== null)
    return `Nobody can upgrade this contract, but ${describeHolder(moveFunds)} can move funds out of it ${when(moveFunds)} (${moveFunds.via}).`
  const others = CAPABILITIES.filter((c) => powers.some((p) => p.capability === c))
  if (others.length > 0)
    return `Nobody can upgrade this contract or move its funds; a key holds other powers: ${others.join(', ')}.`
  return 'Nobody can upgrade or control this contract: no proxy, owner, admin or role found.'
}

import type { Capability, Controller, Power, TrustPath } from './schema.ts'

type Reach = { keys: number | null; delay: bigint; route: TrustPath['route'] }

/**
 * The cheapest way through a controller: an EOA is one key now; a Safe needs its threshold of
 * owners (the cheapest ones); a timelock adds its delay to its cheapest proposer; a contract with an
 * owner is as cheap as that owner; anything else is unknown (keys null).
 */
export function reach(c: Controller): Reach {
  const hop = { address: c.address, kind: c.kind }
  if (c.kind === 'eoa' || c.kind === 'delegated-eoa') return { keys: 1, delay: 0n, route: [hop] }
  const children = c.controllers.map(reach)
  if (c.kind === 'safe' && c.safe) {
    const known = children.filter((r) => r.keys !== null).sort(cheaper)
    if (c.safe.threshold === 0 || known.length < c.safe.threshold) return { keys: null, delay: 0n, route: [hop] }
    const used = known.slice(0, c.safe.threshold)
    return {
      keys: used.reduce((n, r) => n + (r.keys ?? 0), 0),
      delay: used.reduce((d, r) => (r.delay > d ? r.delay : d), 0n),
      route: [...used[0]!.route, hop],
    }
  }
  const best = children.sort(cheaper)[0]
  if (!best || best.keys === null) return { keys: null, delay: 0n, route: [...(best?.route ?? []), hop] }
  const added = c.kind === 'timelock' && c.timelock ? BigInt(c.timelock.minDelaySeconds) : 0n
  return { keys: best.keys, delay: best.delay + added, route: [...best.route, hop] }
}

/** Fewest keys first (unknown last), then the shortest delay. */
function cheaper(a: Reach, b: Reach): number {
  if (a.keys === null || b.keys === null) return a.keys === null ? (b.keys === null ? 0 : 1) : -1
  if (a.keys !== b.keys) return a.keys - b.keys
  return a.delay < b.delay ? -1 : a.delay > b.delay ? 1 : 0
}

/** The cheapest path to any of `capabilities` among the powers found. */
export function shortestPath(
  powers: readonly Power[],
  capabilities: readonly Capability[],
  as: Capability,
): TrustPath | null {
  const options = powers
    .filter((p) => capabilities.includes(p.capability))
    .map((p) => ({ p, r: reach(p.holder) }))
    .sort((a, b) => cheaper(a.r, b.r))
  const best = options[0]
  if (!best) return null
  return {
    capability: as,
    keys: best.r.keys,
    delaySeconds: best.r.delay.toString(),
    route: best.r.route,
    via: best.p.via,
  }
}

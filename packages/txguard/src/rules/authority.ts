import type { Address } from 'viem'
import type { Finding, Rule } from '../context.ts'
import { isKnown, nameOf, same } from './helpers.ts'

export const ownershipTransfer: Rule = {
  id: 'authority.ownership-transfer',
  description: 'Ownership or admin of a contract moves to someone else.',
  check: (ctx) =>
    ctx.effects.authority.flatMap((a): Finding[] => {
      if (a.kind !== 'ownership' && a.kind !== 'admin') return []
      const known = isKnown(ctx, a.to)
      return [
        {
          id: 'authority.ownership-transfer',
          severity: known ? 'warn' : 'block',
          message:
            `${a.kind === 'admin' ? 'Admin' : 'Ownership'} of ${nameOf(ctx, a.contract)} ` +
            `moves from ${nameOf(ctx, a.from)} to ${nameOf(ctx, a.to)}${known ? '' : ', an address you do not know'}.`,
          evidence: { ...a },
        },
      ]
    }),
}

export const proxyUpgrade: Rule = {
  id: 'authority.proxy-upgrade',
  description: 'A proxy switches to new code: whoever wrote it controls everything the proxy holds.',
  check: (ctx) =>
    ctx.effects.authority.flatMap((a): Finding[] => {
      if (a.kind !== 'upgrade' && a.kind !== 'beacon') return []
      const target = a.kind === 'upgrade' ? a.implementation : a.beacon
      if (isKnown(ctx, target))
        return [
          {
            id: 'authority.proxy-upgrade',
            severity: 'warn',
            message: `${nameOf(ctx, a.contract)} is upgraded to ${nameOf(ctx, target)}.`,
            evidence: { ...a },
          },
        ]
      return [
        {
          id: 'authority.proxy-upgrade',
          severity: 'block',
          message: `${nameOf(ctx, a.contract)} would run new, unknown code at ${nameOf(ctx, target)}: that code could take everything it holds.`,
          evidence: { ...a },
        },
      ]
    }),
}

export const unknownDelegatecall: Rule = {
  id: 'call.delegatecall',
  description: "A wallet (Safe, smart account) runs someone else's code as itself.",
  check: (ctx) => {
    const findings: Finding[] = []
    const walk = (c: NonNullable<typeof ctx.decoded>) => {
      if (c.operation === 'delegatecall' && c.to && !isKnown(ctx, c.to)) {
        findings.push({
          id: 'call.delegatecall',
          severity: 'block',
          message: `Your wallet would delegatecall ${nameOf(ctx, c.to)}: that code runs with full control of the wallet.`,
          evidence: { target: c.to, function: c.signature },
        })
      }
      c.calls.forEach(walk)
    }
    if (ctx.decoded) walk(ctx.decoded)
    // in the trace: the signer's own account (an EIP-7702 delegated EOA) running foreign code as itself.
    // (A smart wallet's proxy delegatecalls its implementation on every call: that is checked
    // through the decoded operation above instead.)
    for (const d of ctx.simulation?.delegateCalls ?? []) {
      if (!same(d.from, ctx.user) || isKnown(ctx, d.to)) continue
      if (findings.some((f) => same(f.evidence.target as Address | undefined, d.to))) continue
      findings.push({
        id: 'call.delegatecall',
        severity: 'block',
        message: `Your account ${nameOf(ctx, d.from)} would run the code of ${nameOf(ctx, d.to)} as itself (delegatecall).`,
        evidence: { from: d.from, target: d.to },
      })
    }
    return findings
  },
}

export const eip7702Authorization: Rule = {
  id: 'eip7702.authorization',
  description: "An EIP-7702 authorization: the account would run the delegate's code for every future call.",
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'transaction' || !r.authorizationList?.length) return []
    return r.authorizationList.map(
      (a): Finding => ({
        id: 'eip7702.authorization',
        severity: isKnown(ctx, a.address) ? 'warn' : 'block',
        message:
          `Delegates your account to the code at ${nameOf(ctx, a.address)}` +
          `${isKnown(ctx, a.address) ? '' : ', which you do not know'}: it could spend everything, now and later.`,
        evidence: { delegate: a.address, chainId: a.chainId.toString() },
      }),
    )
  },
}

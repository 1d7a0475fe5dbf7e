import type { Finding, Rule } from '../context.ts'
import { nameOf } from './helpers.ts'

export const reverts: Rule = {
  id: 'tx.reverts',
  description: 'The transaction fails in simulation: there is nothing worth signing, and the reason is shown.',
  check: (ctx) =>
    ctx.simulation && !ctx.simulation.success
      ? [
          {
            id: 'tx.reverts',
            severity: 'block',
            message: `The transaction would fail (${ctx.simulation.revertReason ?? 'reverted'}): nothing worth signing, it would only cost gas.`,
            evidence: { reason: ctx.simulation.revertReason ?? null },
          },
        ]
      : [],
}

export const unknownFunction: Rule = {
  id: 'decode.unknown-function',
  description: 'Calldata that no known ABI or selector decodes: a blind call.',
  check: (ctx) =>
    ctx.decoded?.source === 'unknown'
      ? [
          {
            id: 'decode.unknown-function',
            severity: 'warn',
            message: `Calls an unknown function ${ctx.decoded.selector} on ${ctx.decoded.to ? nameOf(ctx, ctx.decoded.to) : 'a new contract'}.`,
            evidence: { selector: ctx.decoded.selector },
          },
        ]
      : [],
}

export const contractCreated: Rule = {
  id: 'contract.created',
  description: 'The transaction deploys contracts.',
  check: (ctx) =>
    ctx.effects.created.map(
      (a): Finding => ({
        id: 'contract.created',
        severity: 'info',
        message: `Creates a contract at ${a}.`,
        evidence: { address: a },
      }),
    ),
}

import { getAddress, type Address } from 'viem'
import type { Constraints } from '../constraints.ts'
import type { Intent, IntentOf } from '../intent.ts'
import type { ResolvedAsset, ResolvedParty } from '../resolve.ts'
import type { KindAction } from './schemas.ts'

/**
 * Resolution, constraints, summary and references of the kinds in schemas.ts, called from the
 * switches of resolve.ts, constraints.ts, describe.ts and symbolic.ts.
 */
export type KindIntent = IntentOf<KindAction>

export type ResolvedKind =
  | { action: 'agent.register'; uri: string }
  | { action: 'agent.feedback'; agentId: bigint; score: string }
  | {
      action: 'escrow.fund'
      provider: ResolvedParty
      evaluator: ResolvedParty
      budget: { asset: ResolvedAsset; amount: bigint }
      expiresIn: bigint
      escrow: ResolvedParty
    }
  | { action: 'call'; function: string; args: string[]; target: ResolvedParty; value: bigint }

/** What resolve.ts's resolver offers the kinds. */
export type KindResolver = {
  party(word: string): Promise<ResolvedParty>
  asset(word: string): Promise<ResolvedAsset>
  units(decimal: string, asset: ResolvedAsset): bigint
  native(): ResolvedAsset
}

/** The escrow contract the words mean when they name none: the address book's "escrow". */
export const DEFAULT_ESCROW_NAME = 'escrow'

export async function resolveKind(intent: KindIntent, r: KindResolver): Promise<{ intent: Intent } & ResolvedKind> {
  switch (intent.action) {
    case 'agent.register':
      return { intent, action: 'agent.register', uri: intent.uri }
    case 'agent.feedback':
      return { intent, action: 'agent.feedback', agentId: BigInt(intent.agentId), score: intent.score }
    case 'escrow.fund': {
      const asset = await r.asset(intent.budget.asset)
      return {
        intent,
        action: 'escrow.fund',
        provider: await r.party(intent.provider),
        evaluator: await r.party(intent.evaluator),
        budget: { asset, amount: r.units(intent.budget.amount, asset) },
        expiresIn: BigInt(intent.expiresIn),
        escrow: await r.party(intent.escrow ?? DEFAULT_ESCROW_NAME),
      }
    }
    case 'call':
      return {
        intent,
        action: 'call',
        function: intent.function,
        args: intent.args,
        target: await r.party(intent.target),
        value: intent.value === undefined ? 0n : r.units(intent.value, r.native()),
      }
  }
}

const named = (...list: ResolvedParty[]): Address[] =>
  list
    .filter((p) => p.source !== 'user')
    .map((p) => getAddress(p.address))
    .filter((a, i, all) => all.indexOf(a) === i)

/** Fills in `c` (fresh from constraints.ts: nothing may leave, no approval) for a kind. */
export function constrainKind(resolved: ResolvedKind, c: Constraints): Constraints {
  switch (resolved.action) {
    case 'agent.register':
    case 'agent.feedback':
      // a registration or a rating moves no value and grants nothing: the defaults hold
      return c
    case 'escrow.fund': {
      const { asset, amount } = resolved.budget
      c.maxOutflow = [{ asset: asset.ref, amount }]
      // exactly the budget, to the escrow contract only, pulled through an allowance of exactly that size
      c.recipients = [resolved.escrow.address]
      if (asset.ref.kind === 'erc20')
        c.approvals = [{ token: asset.ref.token, spender: resolved.escrow.address, amount }]
      c.counterparties = named(resolved.provider, resolved.evaluator, resolved.escrow)
      return c
    }
    case 'call': {
      // the value the words allow, to the called contract; any other outflow is outside the words
      c.maxOutflow = resolved.value > 0n ? [{ asset: { kind: 'native' }, amount: resolved.value }] : []
      c.recipients = [resolved.target.address]
      c.counterparties = named(resolved.target)
      return c
    }
  }
}

const DURATIONS: Array<[bigint, string]> = [
  [604_800n, 'week'],
  [86_400n, 'day'],
  [3_600n, 'hour'],
  [60n, 'minute'],
]

/** 259200 → "3 days"; a number of seconds that is no whole unit stays in seconds. */
export function durationWords(seconds: bigint): string {
  for (const [size, unit] of DURATIONS)
    if (seconds % size === 0n) return `${seconds / size} ${unit}${seconds / size === 1n ? '' : 's'}`
  return `${seconds} seconds`
}

export function summarizeKind(intent: KindIntent): string {
  switch (intent.action) {
    case 'agent.register':
      return `register an ERC-8004 agent with URI ${intent.uri} (nothing may leave)`
    case 'agent.feedback':
      return `give ERC-8004 agent #${intent.agentId} a score of ${intent.score} out of 100 (nothing may leave)`
    case 'escrow.fund':
      return (
        `create an escrow job for ${intent.provider}, evaluated by ${intent.evaluator}, and fund it with ` +
        `${intent.budget.amount} ${intent.budget.asset}, expiring in ${durationWords(BigInt(intent.expiresIn))}` +
        ` (only the budget may leave, to ${intent.escrow ?? `"${DEFAULT_ESCROW_NAME}"`})`
      )
    case 'call':
      return `call ${intent.function}(${intent.args.join(', ')}) on ${intent.target}${
        intent.value === undefined ? ' (nothing may leave)' : ` with at most ${intent.value} of the native coin`
      }`
  }
}

/** The names and symbols a kind refers to (for symbolic comparison of two readings). */
export function kindReferences(intent: KindIntent): { assets: string[]; parties: string[] } {
  switch (intent.action) {
    case 'escrow.fund':
      return {
        assets: [intent.budget.asset],
        parties: [intent.provider, intent.evaluator, intent.escrow ?? DEFAULT_ESCROW_NAME],
      }
    case 'call':
      return { assets: [], parties: [intent.target] }
    default:
      return { assets: [], parties: [] }
  }
}

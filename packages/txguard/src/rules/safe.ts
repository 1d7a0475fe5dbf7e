import { toFunctionSelector, type Address, type Hex } from 'viem'
import type { Finding, Rule, RuleContext } from '../context.ts'
import type { SafeChange } from '../effects.ts'
import { flattenCalls } from '../decode.ts'
import { nameOf, same } from './helpers.ts'

/** Safe's configuration functions (OwnerManager, ModuleManager, GuardManager, FallbackManager) → what each changes. */
const CONFIG_FUNCTIONS: ReadonlyArray<[string, SafeChange]> = [
  ['addOwnerWithThreshold(address,uint256)', 'owner'],
  ['removeOwner(address,address,uint256)', 'owner'],
  ['swapOwner(address,address,address)', 'owner'],
  ['changeThreshold(uint256)', 'threshold'],
  ['enableModule(address)', 'module'],
  ['disableModule(address,address)', 'module'],
  ['setGuard(address)', 'guard'],
  ['setFallbackHandler(address)', 'fallback'],
]
const BY_SELECTOR = new Map<Hex, { fn: string; change: SafeChange }>(
  CONFIG_FUNCTIONS.map(([sig, change]) => [
    toFunctionSelector(`function ${sig}`),
    { fn: sig.replace(/\(.*/, ''), change },
  ]),
)

type Seen = { safe: Address; change: SafeChange; how: string; target?: Address; threshold?: bigint }

/**
 * Every configuration change of a Safe the request makes: from the events of the simulation and, so
 * that a change whose simulation fails is still named, from the calls in the trace and the decoded
 * call tree (execTransaction, MultiSend and batches included).
 */
function safeChanges(ctx: RuleContext): Seen[] {
  const seen: Seen[] = []
  for (const a of ctx.effects.authority)
    if (a.kind === 'safe-config')
      seen.push({
        safe: a.contract,
        change: a.change,
        how: a.event,
        ...(a.target ? { target: a.target } : {}),
        ...(a.threshold !== undefined ? { threshold: a.threshold } : {}),
      })
  const add = (to: Address | null, input: Hex | null, via: string) => {
    const hit = input && input.length >= 10 ? BY_SELECTOR.get(input.slice(0, 10) as Hex) : undefined
    if (!hit || !to || seen.some((s) => same(s.safe, to) && s.change === hit.change)) return
    seen.push({ safe: to, change: hit.change, how: `${hit.fn} (${via})` })
  }
  // a Safe is a proxy: the CALL to it names the Safe, the DELEGATECALL under it only the singleton
  for (const f of ctx.simulation?.frames ?? []) if (f.type !== 'DELEGATECALL') add(f.to, f.input, 'in the trace')
  for (const c of ctx.decoded ? flattenCalls(ctx.decoded) : []) add(c.to, c.selector, 'in the calldata')
  // MultiSend packs its calls as bytes: a batch that fails in simulation shows its calls only there
  const MULTI_SEND = toFunctionSelector('function multiSend(bytes)')
  const batches = ctx.decoded ? flattenCalls(ctx.decoded).filter((c) => c.selector === MULTI_SEND) : []
  const r = ctx.request
  if (r.kind === 'transaction' && batches.length > 0 && seen.length === 0) {
    const safe = ctx.userAccounts.find((u) => !same(u, ctx.user)) ?? r.to ?? null
    for (const selector of BY_SELECTOR.keys())
      if (r.data.toLowerCase().includes(selector.slice(2))) add(safe, selector, 'in a MultiSend batch')
  }
  return seen
}

const ADMIN_KIND: Record<SafeChange, string> = {
  owner: 'safe-owner',
  threshold: 'safe-threshold',
  module: 'safe-module',
  guard: 'safe-guard',
  fallback: 'safe-fallback',
}

type Wanted = NonNullable<NonNullable<RuleContext['constraints']>['authorityChange']>

/** The owner, module, guard or handler the words name is the one this change is about (a threshold names none). */
function namesTarget(wanted: Wanted, s: Seen): boolean {
  // "to 2" allows a threshold of 2: a lower one (fewer signatures) is another change
  if (s.change === 'threshold') return wanted.threshold === undefined || wanted.threshold === s.threshold
  if (s.target === undefined) return true
  // an owner swap removes its old owner and adds the new one: no other owner may go ("add bob as an
  // owner" done by swapOwner, which also drops the user, is not what the words say)
  if (s.how === 'RemovedOwner' && wanted.from !== undefined) return same(wanted.from, s.target)
  return wanted.to === undefined || same(wanted.to, s.target)
}

export const safeConfigChange: Rule = {
  id: 'safe.config-change',
  description:
    "A change to a Safe's owners, threshold, modules, guard or fallback handler, unless the intent is an admin action naming that change.",
  check: (ctx) =>
    safeChanges(ctx).flatMap((s): Finding[] => {
      const wanted = ctx.constraints?.action === 'admin' ? ctx.constraints.authorityChange : null
      if (
        wanted &&
        wanted.kind === ADMIN_KIND[s.change] &&
        (wanted.target === undefined || same(wanted.target, s.safe) || same(wanted.target, s.target)) &&
        namesTarget(wanted, s)
      )
        return []
      return [
        {
          id: 'safe.config-change',
          severity: 'block',
          message:
            `Changes the ${s.change === 'fallback' ? 'fallback handler' : s.change} of the Safe ${nameOf(ctx, s.safe)} ` +
            `(${s.how}${s.target ? `: ${nameOf(ctx, s.target)}` : ''}${s.threshold === undefined ? '' : `: ${s.threshold}`}), ` +
            'which your intent does not name: ' +
            'whoever controls that controls the Safe.',
          evidence: {
            safe: s.safe,
            change: s.change,
            how: s.how,
            target: s.target ?? null,
            threshold: s.threshold?.toString() ?? null,
          },
        },
      ]
    }),
}

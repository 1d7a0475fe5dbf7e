/**
 * Check before sign: the words are read (`@hermit/intent`), resolved, planned, and every step is
 * simulated as a sequence on one anvil fork — each step in the state the earlier ones leave — and
 * checked by `@hermit/txguard`'s `verify()` with the user's original words. The fork is a throwaway
 * one, or a `ForkPool`'s (fork.ts), reverted to the upstream head between proposals.
 */
import {
  numberToHex,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
} from 'viem'
import { chainFacts, readIntent, resolveIntent, type Intent, type IntentReading } from '@hermit/intent'
import type { Devnet } from '@hermit/devnet'
import type { LlmProvider } from '@hermit/llm'
import { verify, type Finding, type PolicyInput, type Report, type Verdict } from '@hermit/txguard'
import { shortMessageOf } from '@hermit/errors'
import { ProposerError } from './errors.ts'
import { catalogueAbis, catalogueBook, type CatalogueOptions } from './catalogue/plan.ts'
import { withOwnFork, type ForkPool } from './fork.ts'
import { planWithModel } from './model.ts'
import { planSafe, splitSafeWords, type SafeProposal } from './safe.ts'
import { planIntent, type Plan, type PlanOptions, type Protocols, type Step } from './plan.ts'

type Client = PublicClient<Transport, Chain>

export type ProposeOptions = {
  /** The chain the proposal is for (a devnet or a node); read only: nothing is sent by `propose`. */
  client: Client
  /** Its RPC URL: a throwaway anvil forks it to simulate the plan. */
  rpcUrl: string
  user: Address
  protocols: Protocols
  addressBook?: Record<string, Address>
  /** The user's token list (symbol → address), looked up before the chain. */
  tokens?: Record<string, Address>
  /** txguard's policy; the address book and token list above are added to it. */
  policy?: PolicyInput
  /**
   * A model that chooses the catalogue's actions as tool calls (Hermit resolves and builds them; txguard
   * reads the words with it too). Default: none, the parser alone.
   */
  provider?: LlmProvider
  venue?: PlanOptions['venue']
  slippageBps?: number
  /** The Safe that "my safe" in the words means. */
  safe?: Address
  /** The user's key, to sign a Safe transaction's SafeTx (EIP-712) while proposing; nothing else is signed here. */
  signer?: LocalAccount
  /** Forks kept between proposals (see `createProposer`); without it each proposal starts and stops its own. */
  forks?: ForkPool
  /** Contracts and the user's own files (ZK identity, ABI) for the agent, escrow, pool and generic-call actions. */
  catalogue?: CatalogueOptions
}

export type ProposedStep = Step & {
  /** The gas limit to sign with: the fork's estimate, with a margin for swaps. */
  gas: bigint
  /** Gas the step used on the fork. */
  gasUsed: bigint
  report: Report
}

export type Proposal = {
  words: string
  chainId: number
  user: Address
  intent: Intent
  /** Who read the words; `consulted: false` says no model was consulted. */
  reading: { reader: IntentReading['reader']; described: string; model: { consulted: boolean; note: string } }
  notes: string[]
  steps: ProposedStep[]
  /** The worst verdict of the steps: `block` can never be sent, `warn` needs `yes: true`. */
  verdict: Verdict
  /** Every warn and block finding, by step, to show again before asking for confirmation. */
  reasons: Array<Finding & { step: number }>
  /** When the words act through a Safe: its nonce, the safeTxHash, the signatures made and how many are missing. */
  safe?: SafeProposal
  durationMs: number
}

/**
 * A V2 pair writes its price accumulators in the first swap of a later second, which a bare
 * estimate (run in the current block's second) does not see: on a pair never swapped before that is
 * two zero-to-nonzero stores (about 44,000 gas). Swaps get 25 % and 60,000 gas over the estimate.
 */
export const SWAP_GAS_MARGIN_PERCENT = 25n
export const SWAP_GAS_EXTRA = 60_000n
const RANK: Record<Verdict, number> = { allow: 0, warn: 1, block: 2 }

export function gasLimit(step: Step, estimate: bigint): bigint {
  return step.action.kind.startsWith('swap.')
    ? (estimate * (100n + SWAP_GAS_MARGIN_PERCENT)) / 100n + SWAP_GAS_EXTRA
    : estimate
}

/** The protocols the proposer routes through, by name, as the report shows them. */
export function protocolBook(p: Protocols): Record<string, Address> {
  return {
    WETH: p.weth,
    'Uniswap V2 Router02': p.uniswapV2.router02,
    'Uniswap V3 SwapRouter': p.uniswapV3.swapRouter,
  }
}

/** txguard's finding that nothing of the bought asset arrives (evidence: only the expected asset). */
const noInflow = (f: Finding) =>
  f.id === 'intent.mismatch' && Object.keys(f.evidence).length === 1 && typeof f.evidence.expected === 'string'

/**
 * The findings of the plan as a sequence. Every warn and block of every step stands, with one
 * exception: a step before the last (the approval ahead of a swap) cannot itself bring in what the
 * words buy, so its "nothing arrives" is deferred to the last step — and stands if the last step
 * does not bring that asset in either (then the last step says so too).
 */
function sequenceReasons(steps: ProposedStep[]): { reasons: Proposal['reasons']; deferred: string[] } {
  const last = steps[steps.length - 1]
  const deferred: string[] = []
  const reasons = steps.flatMap((s, i) =>
    s.report.reasons
      .filter((f) => f.severity !== 'info')
      .filter((f) => {
        if (s === last || !noInflow(f) || !last?.report.simulation?.success) return true
        const answered = !last.report.reasons.some((g) => noInflow(g) && g.evidence.expected === f.evidence.expected)
        if (answered)
          deferred.push(`Step ${i + 1} brings nothing in by itself; step ${steps.length} does (checked there).`)
        return !answered
      })
      .map((f) => ({ ...f, step: i + 1 })),
  )
  return { reasons, deferred }
}

/** Reads, resolves and plans the words; deterministic unless `provider` names a model. */
export async function planWords(words: string, o: ProposeOptions): Promise<{ reading: IntentReading; plan: Plan }> {
  // the catalogue's contracts by name ("escrow"), under the user's own names
  const addressBook = { ...catalogueBook(o.catalogue), ...o.addressBook }
  const tokens = o.tokens ?? {}
  const reading = await readIntent(words, { ...(o.provider ? { provider: o.provider } : {}), addressBook, tokens })
  if (reading.intent.action === 'unknown')
    throw new ProposerError('PROPOSER_UNSUPPORTED', `The words were not understood: ${reading.intent.reason}.`, {
      hint: 'Say it as e.g. "send 0.1 ETH to bob", "swap 1000 USDC for ETH", "wrap 1 ETH".',
    })
  const chain = chainFacts(o.client, { wrappedNative: o.protocols.weth, knownTokens: Object.values(tokens) })
  const resolved = await resolveIntent(reading.intent, { user: o.user, addressBook, tokens, chain })
  const plan = await planIntent(resolved, {
    client: o.client,
    user: o.user,
    protocols: o.protocols,
    ...(o.venue ? { venue: o.venue } : {}),
    ...(o.slippageBps === undefined ? {} : { slippageBps: o.slippageBps }),
    ...(o.catalogue ? { catalogue: o.catalogue } : {}),
  })
  return { reading, plan }
}

/** The model chooses the actions; the parser's reading of the words is kept beside it for the report. */
async function modelPlan(
  words: string,
  o: ProposeOptions,
): Promise<{ reading: IntentReading; plan: Plan; model: string }> {
  const reading = await readIntent(words, { addressBook: o.addressBook ?? {}, tokens: o.tokens ?? {} })
  const plan = await planWithModel(words, {
    client: o.client,
    user: o.user,
    protocols: o.protocols,
    provider: o.provider!,
    addressBook: { ...catalogueBook(o.catalogue), ...o.addressBook },
    tokens: o.tokens ?? {},
    ...(o.venue ? { venue: o.venue } : {}),
    ...(o.slippageBps === undefined ? {} : { slippageBps: o.slippageBps }),
    ...(o.catalogue ? { catalogue: o.catalogue } : {}),
  })
  return { reading, plan, model: plan.model }
}

/**
 * Words → a checked proposal. Nothing is sent (only a Safe transaction's SafeTx is signed, with
 * `signer`); the simulation runs on a fork that is then stopped, or reverted when it is a pool's.
 */
export async function propose(words: string, o: ProposeOptions): Promise<Proposal> {
  const t0 = performance.now()
  const byModel = o.provider !== undefined && o.provider.kind !== 'none'
  const planFor = async (w: string, user: Address) =>
    byModel ? modelPlan(w, { ...o, user }) : { ...(await planWords(w, { ...o, user })), model: null }
  const target = splitSafeWords(words)
  const safeOptions = { client: o.client, owner: o.user, ...(o.signer ? { signer: o.signer } : {}) }
  const { reading, plan, model, safe } = target
    ? await planSafe(target, { ...safeOptions, ...(o.safe ? { mySafe: o.safe } : {}) }, planFor)
    : { ...(await planFor(words, o.user)), safe: undefined }
  // txguard reads the inner action's words; the Safe prefix only names the holder, which txguard counts as the user's
  const checkWords = target ? target.words : words
  const chainId = o.client.chain.id
  const policy: PolicyInput = {
    ...o.policy,
    // the routers the plan calls come from the user's own deployments/config: known, named counterparties
    addressBook: {
      ...protocolBook(o.protocols),
      ...catalogueBook(o.catalogue),
      ...o.policy?.addressBook,
      ...o.addressBook,
    },
    tokens: { ...o.policy?.tokens, ...o.tokens },
  }
  const latest = await o.client.getBlock({ blockTag: 'latest' })
  const head = { number: latest.number, hash: latest.hash }
  const steps: ProposedStep[] = []
  const simulate = async (fork: Devnet) => {
    for (const [i, s] of plan.steps.entries()) {
      const from = s.simulateFrom ?? o.user
      await fork.testClient.impersonateAccount({ address: from })
      const request = {
        chainId,
        from,
        to: s.call.to,
        data: s.call.data,
        value: s.call.value,
      }
      const report = await verify(request, {
        client: fork.publicClient,
        intent: checkWords,
        // the parser reads the words for the check: the model that chose the plan does not also judge it
        policy,
        // the escrow's and pools' ABIs, and the user's ABI file: calls to them are decoded, not unknown
        abis: catalogueAbis(o.catalogue),
      })
      const tx = { from, to: s.call.to, data: s.call.data, value: s.call.value }
      let estimate: bigint
      try {
        estimate = await fork.publicClient.estimateGas({ account: from, ...tx })
      } catch (cause) {
        throw new ProposerError(
          'PROPOSER_SIMULATION_FAILED',
          `Step ${i + 1} (${s.action.kind}) would revert: ${shortMessageOf(cause)}`,
          {
            cause,
            hint: 'Nothing was sent. Check balances, allowances and the quote.',
            details: { step: i + 1 },
          },
        )
      }
      const gas = gasLimit(s, estimate)
      // the step lands on the fork, so the next one is checked in the state this one leaves
      const hash = (await fork.publicClient.request({
        method: 'eth_sendTransaction',
        params: [{ ...tx, value: numberToHex(tx.value), gas: numberToHex(gas) }],
      } as never)) as Hex
      const receipt = await fork.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
      if (receipt.status !== 'success')
        throw new ProposerError(
          'PROPOSER_SIMULATION_FAILED',
          `Step ${i + 1} (${s.action.kind}) reverted on the fork.`,
          {
            hint: 'Nothing was sent.',
            details: { step: i + 1, hash },
          },
        )
      steps.push({ ...s, gas, gasUsed: receipt.gasUsed, report })
    }
  }
  await (o.forks ? o.forks.run(o.rpcUrl, chainId, head, simulate) : withOwnFork(o.rpcUrl, chainId, head, simulate))
  const { reasons, deferred } = sequenceReasons(steps)
  const verdict = reasons.reduce<Verdict>(
    (v, f) => (RANK[f.severity as Verdict] > RANK[v] ? (f.severity as Verdict) : v),
    'allow',
  )
  const notes = [...plan.notes, ...deferred]
  const consulted = model !== null || reading.reader !== 'parser'
  return {
    words,
    chainId,
    user: o.user,
    intent: reading.intent,
    reading: {
      reader: reading.reader,
      described: reading.described,
      model: {
        consulted,
        note: model
          ? `The model ${model} chose the actions (tool calls); Hermit resolved and built every call, and txguard checked each against your words.`
          : consulted
            ? 'A model read the words; the parser cross-checked it. Hermit built every call.'
            : reading.modelError
              ? `The model's reading could not be used (${reading.modelError.message}); the parser's reading stands.`
              : 'No model was consulted: the deterministic parser read the words.',
      },
    },
    notes,
    steps,
    verdict,
    reasons,
    ...(safe ? { safe } : {}),
    durationMs: Math.round(performance.now() - t0),
  }
}

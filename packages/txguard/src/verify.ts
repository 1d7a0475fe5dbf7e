import type { Abi, Address, Chain, PublicClient, Transport } from 'viem'
import { noneProvider, type LlmProvider } from '@hermit/llm'
import { shortMessageOf } from '@hermit/errors'
import { policySchema, type PolicyInput, type Rule, type RuleContext, type Verdict } from './context.ts'
import { decodeCall, flattenCalls } from './decode.ts'
import { balanceChanges, extractEffects, type Approval, type Effects } from './effects.ts'
import { RequestInvalidError } from './errors.ts'
import { sharedContractFacts, type ContractFacts } from './facts.ts'
import { directRecipients, findUnsellable, inspectAccounts, inspectTokens, probeTokens } from './inspect.ts'
import type { IntentReading } from './constraints.ts'
import { chainHistory, counterpartyHistory, HISTORY_BLOCKS } from './history.ts'
import { readWords } from './reading.ts'
import type { SigningRecord } from './record.ts'
import { judge, stricter, type JudgeInput } from './judge.ts'
import { changeRows, plainSummary, sortFindings, verdictOf, type ModelReport, type Report } from './report.ts'
import { parseRequest, type VerifyRequest, type VerifyRequestInput } from './request.ts'
import type { DecodedCall } from './decode.ts'
import { runRules, rules as defaultRules } from './rules/index.ts'
import { simulateTransaction, type SimulatedTx, type Simulation } from './simulate.ts'
import { summarizeTypedData, type TypedDataSummary } from './typed-data.ts'
import { trustOf } from './trust.ts'

export type VerifyOptions = {
  /** A client on a local devnet or fork (never a real network: nothing is sent, but it is traced there). */
  client?: PublicClient<Transport, Chain>
  /** The user's own words: "send 0.2 ETH to alice". */
  intent?: string
  /** The dapp's origin (untrusted), e.g. https://app.example. */
  origin?: string
  policy?: PolicyInput
  /** Default `none`: deterministic only, and the report says no model was consulted. */
  provider?: LlmProvider
  /**
   * The model that reads the user's words into an intent (cross-checked by the parser; the stricter
   * reading wins). Default: `provider`. `none`: the parser alone.
   */
  intentProvider?: LlmProvider
  /** ABIs of the dapp's contracts, for decoding. */
  abis?: Abi[]
  /** Contracts the dapp says the user talks to. */
  dappContracts?: Address[]
  rules?: readonly Rule[]
  modelTimeoutMs?: number
  signal?: AbortSignal
  /**
   * Where contracts' ages and activity are remembered, per chain (bounded). Default: one cache
   * shared by the process; pass a fresh `new ContractFacts()` to start from nothing.
   */
  facts?: ContractFacts
  /** What the user checked and signed through Hermit: its counterparties count as known, and this check is added. */
  record?: SigningRecord
  /** How many of the newest blocks of the user's Transfer logs are read for their counterparties (default 100,000; 0: none). */
  historyBlocks?: number
}

/**
 * Accounts whose assets are the user's: the signer, and a smart wallet it drives (a Safe's
 * execTransaction or an account's execute is sent *to* the user's own wallet contract).
 */
function userAccountsOf(request: VerifyRequest, decoded: DecodedCall | undefined): Address[] {
  const accounts: Address[] = [request.from]
  if (
    request.kind === 'transaction' &&
    request.to &&
    decoded &&
    (decoded.family === 'Safe' || ['execute', 'executeBatch'].includes(decoded.name ?? ''))
  )
    accounts.push(request.to)
  return accounts
}

const EMPTY: Effects = { transfers: [], approvals: [], authority: [], created: [], delegateCalls: [] }

/** What signing would do, observed without sending anything: the decoded call and its simulation, or the typed data read. */
type Observation = {
  tx: SimulatedTx | undefined
  decoded: DecodedCall | undefined
  simulation: Simulation | undefined
  typedData: TypedDataSummary | undefined
  effects: Effects
  /** Every allowance granted: by the transaction's effects and by the typed data's terms. */
  approvals: Approval[]
}

/**
 * Checks what a dapp asks the user to sign: decode → simulate → effects → deterministic rules →
 * (optionally) the model's judgement, which may only raise the verdict.
 */
export async function verify(input: VerifyRequestInput | unknown, options: VerifyOptions = {}): Promise<Report> {
  const t0 = performance.now()
  // what the dapp hands over is untrusted: always parsed, never taken as already checked
  const request: VerifyRequest = parseRequest(input)
  const policy = policySchema.parse(options.policy ?? {})
  const client = options.client
  if (client && request.chainId !== client.chain.id) {
    throw new RequestInvalidError(
      'TXGUARD_CHAIN_MISMATCH',
      `The request is for chain ${request.chainId} but the simulation chain is ${client.chain.id}.`,
      { hint: 'Point --rpc at (a fork of) the chain the dapp uses.' },
    )
  }
  const seen = await observe(request, client, options.abis)
  const ctx = await ruleContext(request, seen, client, policy, options)
  const reading = ctx.reading
  const reasons = sortFindings(runRules(ctx, options.rules ?? defaultRules))
  const deterministicVerdict = verdictOf(reasons)
  const summary = plainSummary(ctx)
  const changes = changeRows(ctx)
  const { verdict, model } = await consultModel(options, {
    ...(options.intent ? { intent: options.intent } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
    deterministicVerdict,
    facts: {
      request: {
        kind: request.kind,
        chainId: request.chainId,
        from: request.from,
        ...(seen.tx ? { to: seen.tx.to, value: seen.tx.value } : {}),
      },
      decoded: seen.decoded ?? null,
      typedData: seen.typedData ?? null,
      simulation: seen.simulation
        ? { success: seen.simulation.success, revertReason: seen.simulation.revertReason ?? null }
        : null,
      assetChanges: changes.map((c) => ({ holder: c.holderName, change: c.formatted, symbol: c.symbol })),
      approvals: seen.approvals,
      authorityChanges: seen.effects.authority,
      tokens: ctx.tokens,
      plainSummary: summary,
    },
    findings: reasons,
  })
  const counterparties = counterpartiesOf(ctx).slice(0, 64)
  options.record?.note({
    chainId: request.chainId,
    user: request.from,
    counterparties,
    verdict,
    signed: false,
    at: Math.floor(Date.now() / 1000),
  })
  return {
    verdict,
    deterministicVerdict,
    intent: reading
      ? { text: reading.text, asRead: reading.described, reader: reading.reader, notes: reading.notes }
      : null,
    reasons,
    summary,
    changes,
    approvals: seen.approvals,
    authority: seen.effects.authority,
    decoded: seen.decoded ?? null,
    simulation: seen.simulation
      ? {
          success: seen.simulation.success,
          ...(seen.simulation.revertReason ? { revertReason: seen.simulation.revertReason } : {}),
          gasUsed: seen.simulation.gasUsed,
        }
      : null,
    model,
    request: { kind: request.kind, chainId: request.chainId, from: request.from, to: seen.tx?.to ?? null },
    accounts: ctx.accounts,
    counterparties,
    durationMs: performance.now() - t0,
  }
}

/** Step 1: decode and simulate a transaction (nothing is sent), or read what typed data authorizes. */
async function observe(
  request: VerifyRequest,
  client: VerifyOptions['client'],
  abis: Abi[] | undefined,
): Promise<Observation> {
  if (request.kind === 'typed-data') {
    const typedData = summarizeTypedData(request)
    return {
      tx: undefined,
      decoded: undefined,
      simulation: undefined,
      typedData,
      effects: EMPTY,
      approvals: typedData.approvals,
    }
  }
  if (request.kind !== 'transaction') {
    return {
      tx: undefined,
      decoded: undefined,
      simulation: undefined,
      typedData: undefined,
      effects: EMPTY,
      approvals: [],
    }
  }
  const tx: SimulatedTx = {
    from: request.from,
    to: request.to ?? null,
    value: request.value,
    data: request.data,
    // simulate with what will really be signed: code can branch on gasleft() or tx.gasprice
    ...(request.gas !== undefined ? { gas: request.gas } : {}),
    ...(request.gasPrice !== undefined ? { gasPrice: request.gasPrice } : {}),
    ...(request.maxFeePerGas !== undefined ? { maxFeePerGas: request.maxFeePerGas } : {}),
    ...(request.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: request.maxPriorityFeePerGas } : {}),
  }
  const decoded = decodeCall({ to: tx.to, data: request.data, value: request.value }, { ...(abis ? { abis } : {}) })
  if (!client)
    throw new RequestInvalidError(
      'TXGUARD_NO_SIMULATION_CHAIN',
      'Checking a transaction needs a chain to simulate on.',
      {
        hint: 'Pass a devnet or fork client (hermit verify --rpc <url> forks one).',
      },
    )
  const simulation = await simulateTransaction(client, tx)
  const effects = extractEffects(simulation)
  return { tx, decoded, simulation, typedData: undefined, effects, approvals: effects.approvals }
}

/** Step 2: what the rules read: the observation, the accounts and tokens it touches, and the user's words. */
async function ruleContext(
  request: VerifyRequest,
  seen: Observation,
  client: VerifyOptions['client'],
  policy: RuleContext['policy'],
  options: VerifyOptions,
): Promise<RuleContext> {
  const { tx, decoded, simulation, typedData, effects } = seen
  const changes = balanceChanges(effects.transfers)
  const interesting: Address[] = [
    request.from,
    ...(tx?.to ? [tx.to] : []),
    ...effects.transfers.flatMap((t) => [t.from, t.to]),
    ...seen.approvals.map((a) => a.spender),
    ...effects.authority.flatMap((a) =>
      a.kind === 'safe-config'
        ? a.target
          ? [a.target]
          : []
        : 'to' in a
          ? [a.to]
          : 'implementation' in a
            ? [a.implementation]
            : [a.beacon],
    ),
    ...(decoded ? flattenCalls(decoded).flatMap((c) => (c.to ? [c.to] : [])) : []),
    ...(request.kind === 'transaction' ? (request.authorizationList ?? []).map((a) => a.address) : []),
  ]
  const facts = options.facts ?? sharedContractFacts
  const latest = client ? await client.getBlock({ blockTag: 'latest' }).catch(() => null) : null
  const historyBlocks = BigInt(options.historyBlocks ?? Number(HISTORY_BLOCKS))
  // who can upgrade what the user approves to or sends assets to: read only for those, cached per block
  const trustTargets = [
    ...seen.approvals.map((a) => a.spender),
    ...effects.transfers.filter((t) => userAccountsOf(request, decoded).includes(t.from)).map((t) => t.to),
  ]
  const [accounts, tokens, unsellable, chain, trust] = await Promise.all([
    inspectAccounts(client, interesting, policy, {
      createdNow: effects.created,
      spenders: seen.approvals.map((a) => a.spender),
      facts,
    }),
    inspectTokens(client, request.from, effects, typedData, decoded),
    client && tx && simulation?.success
      ? findUnsellable(client, tx, request.from, changes, effects.transfers)
      : Promise.resolve({ unsellable: [], unchecked: [] }),
    client && latest && historyBlocks > 0n
      ? chainHistory(client, request.from, {
          latest: latest.number,
          maxBlocks: historyBlocks,
          pageSize: 10_000n,
          deadline: Date.now() + facts.options.lookupTimeoutMs,
          facts,
        })
      : Promise.resolve(null),
    client && latest && trustTargets.length > 0
      ? trustOf(client, trustTargets, { number: latest.number, hash: latest.hash })
      : Promise.resolve(undefined),
  ])
  // a contract the user sends to directly may be a token itself: asked only of those recipients
  const probed = client ? await probeTokens(client, directRecipients(effects, request.from, accounts, tokens)) : {}
  // the user's words are read once, before the rules: every rule checks the same constraints
  const reading: IntentReading | undefined = options.intent
    ? await readWords(options.intent, policy, {
        user: request.from,
        client,
        involvedTokens: Object.keys(tokens) as Address[],
        ...((options.intentProvider ?? options.provider)
          ? { provider: options.intentProvider ?? options.provider }
          : {}),
        ...(options.modelTimeoutMs === undefined ? {} : { timeoutMs: options.modelTimeoutMs }),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : undefined
  return {
    request,
    user: request.from,
    userAccounts: userAccountsOf(request, decoded),
    ...(decoded ? { decoded } : {}),
    ...(simulation ? { simulation } : {}),
    effects,
    changes,
    ...(typedData ? { typedData } : {}),
    ...(reading ? { reading } : {}),
    constraints: reading?.constraints ?? null,
    history: counterpartyHistory(policy, options.record?.counterparties(request.chainId, request.from) ?? [], chain),
    now: latest?.timestamp ?? BigInt(Math.floor(Date.now() / 1000)),
    policy,
    accounts,
    tokens: { ...probed, ...tokens },
    unsellable: unsellable.unsellable,
    sellUnchecked: unsellable.unchecked,
    dappContracts: options.dappContracts ?? [],
    ...(trust ? { trust } : {}),
  }
}

/** Whom the request deals with: recipients of the user's assets, spenders, and the contract called. */
function counterpartiesOf(ctx: RuleContext): Address[] {
  const out = new Set<Address>()
  for (const t of ctx.effects.transfers)
    if (ctx.userAccounts.includes(t.from) && !ctx.userAccounts.includes(t.to)) out.add(t.to)
  for (const a of [...ctx.effects.approvals, ...(ctx.typedData?.approvals ?? [])]) out.add(a.spender)
  if (ctx.request.kind === 'transaction' && ctx.request.to) out.add(ctx.request.to)
  return [...out]
}

/**
 * Step 3: the model's judgement, which may only raise the deterministic verdict. A model that says
 * the request does not match the intent raises it to at least warn; a model that fails changes nothing.
 */
async function consultModel(
  options: VerifyOptions,
  input: JudgeInput,
): Promise<{ verdict: Verdict; model: ModelReport }> {
  const provider = options.provider ?? noneProvider
  const deterministic = input.deterministicVerdict
  try {
    const result = await judge(provider, input, {
      ...(options.modelTimeoutMs === undefined ? {} : { timeoutMs: options.modelTimeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (!result.consulted) return { verdict: deterministic, model: { consulted: false, reason: result.reason } }
    let raisedTo = stricter(deterministic, result.value.verdict)
    if (result.value.matchesIntent === 'no') raisedTo = stricter(raisedTo, 'warn')
    return {
      verdict: raisedTo,
      model: {
        consulted: true,
        provider: result.provider,
        model: result.model,
        judgement: result.value,
        raised: raisedTo !== deterministic,
      },
    }
  } catch (error) {
    return {
      verdict: deterministic,
      model: {
        consulted: false,
        reason: `the model (${provider.label}) failed: ${shortMessageOf(error).replace(/\.$/, '')}; deterministic verdict kept`,
      },
    }
  }
}

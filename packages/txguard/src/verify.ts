import type { Abi, Address, Chain, PublicClient, Transport } from 'viem'
import { noneProvider, type LlmProvider } from '@hermit/llm'
import { policySchema, type PolicyInput, type Rule, type RuleContext } from './context.ts'
import { decodeCall, flattenCalls } from './decode.ts'
import { balanceChanges, extractEffects, type Effects } from './effects.ts'
import { RequestInvalidError } from './errors.ts'
import { findUnsellable, inspectAccounts, inspectTokens } from './inspect.ts'
import { parseIntent } from './intent.ts'
import { judge, stricter } from './judge.ts'
import { changeRows, plainSummary, sortFindings, verdictOf, type ModelReport, type Report } from './report.ts'
import { parseRequest, type VerifyRequest, type VerifyRequestInput } from './request.ts'
import type { DecodedCall } from './decode.ts'
import { runRules, rules as defaultRules } from './rules/index.ts'
import { simulateTransaction, type Simulation } from './simulate.ts'
import { summarizeTypedData } from './typed-data.ts'

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
  /** ABIs of the dapp's contracts, for decoding. */
  abis?: Abi[]
  /** Contracts the dapp says the user talks to. */
  dappContracts?: Address[]
  rules?: readonly Rule[]
  modelTimeoutMs?: number
  signal?: AbortSignal
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
      'CHAIN_MISMATCH',
      `The request is for chain ${request.chainId} but the simulation chain is ${client.chain.id}.`,
      { hint: 'Point --rpc at (a fork of) the chain the dapp uses.' },
    )
  }
  let simulation: Simulation | undefined
  let effects = EMPTY
  let decoded
  let typedData
  const tx =
    request.kind === 'transaction'
      ? {
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
      : undefined
  if (request.kind === 'transaction') {
    decoded = decodeCall(
      { to: request.to ?? null, data: request.data, value: request.value },
      { ...(options.abis ? { abis: options.abis } : {}) },
    )
    if (!client)
      throw new RequestInvalidError('NO_SIMULATION_CHAIN', 'Checking a transaction needs a chain to simulate on.', {
        hint: 'Pass a devnet or fork client (hermit verify --rpc <url> forks one).',
      })
    simulation = await simulateTransaction(client, tx!)
    effects = extractEffects(simulation)
  } else if (request.kind === 'typed-data') {
    typedData = summarizeTypedData(request)
  }
  const changes = balanceChanges(effects.transfers)
  const interesting: Address[] = [
    request.from,
    ...(tx?.to ? [tx.to] : []),
    ...effects.transfers.flatMap((t) => [t.from, t.to]),
    ...[...effects.approvals, ...(typedData?.approvals ?? [])].map((a) => a.spender),
    ...effects.authority.flatMap((a) => ('to' in a ? [a.to] : 'implementation' in a ? [a.implementation] : [a.beacon])),
    ...(decoded ? flattenCalls(decoded).flatMap((c) => (c.to ? [c.to] : [])) : []),
    ...(request.kind === 'transaction' ? (request.authorizationList ?? []).map((a) => a.address) : []),
  ]
  const [accounts, tokens, unsellable] = await Promise.all([
    inspectAccounts(client, interesting, policy, effects.created),
    inspectTokens(client, request.from, effects, typedData, decoded),
    client && tx && simulation?.success
      ? findUnsellable(client, tx, request.from, changes, effects.transfers)
      : Promise.resolve({ unsellable: [], unchecked: [] }),
  ])
  const ctx: RuleContext = {
    request,
    user: request.from,
    userAccounts: userAccountsOf(request, decoded),
    ...(decoded ? { decoded } : {}),
    ...(simulation ? { simulation } : {}),
    effects,
    changes,
    ...(typedData ? { typedData } : {}),
    ...(options.intent ? { intentText: options.intent } : {}),
    intent: parseIntent(options.intent),
    policy,
    accounts,
    tokens,
    unsellable: unsellable.unsellable,
    sellUnchecked: unsellable.unchecked,
    dappContracts: options.dappContracts ?? [],
  }
  const reasons = sortFindings(runRules(ctx, options.rules ?? defaultRules))
  const deterministicVerdict = verdictOf(reasons)
  const summary = plainSummary(ctx)
  const changeTable = changeRows(ctx)

  const provider = options.provider ?? noneProvider
  let verdict = deterministicVerdict
  let model: ModelReport
  try {
    const result = await judge(
      provider,
      {
        ...(options.intent ? { intent: options.intent } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
        deterministicVerdict,
        facts: {
          request: {
            kind: request.kind,
            chainId: request.chainId,
            from: request.from,
            ...(tx ? { to: tx.to, value: tx.value } : {}),
          },
          decoded: decoded ?? null,
          typedData: typedData ?? null,
          simulation: simulation
            ? { success: simulation.success, revertReason: simulation.revertReason ?? null }
            : null,
          assetChanges: changeTable.map((c) => ({ holder: c.holderName, change: c.formatted, symbol: c.symbol })),
          approvals: [...effects.approvals, ...(typedData?.approvals ?? [])],
          authorityChanges: effects.authority,
          tokens,
          plainSummary: summary,
        },
        findings: reasons,
      },
      {
        ...(options.modelTimeoutMs === undefined ? {} : { timeoutMs: options.modelTimeoutMs }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )
    if (result.consulted) {
      let raisedTo = stricter(deterministicVerdict, result.value.verdict)
      if (result.value.matchesIntent === 'no') raisedTo = stricter(raisedTo, 'warn')
      model = {
        consulted: true,
        provider: result.provider,
        model: result.model,
        judgement: result.value,
        raised: raisedTo !== deterministicVerdict,
      }
      verdict = raisedTo
    } else model = { consulted: false, reason: result.reason }
  } catch (error) {
    // a model that fails never lowers anything: the deterministic verdict stands
    model = {
      consulted: false,
      reason: `the model (${provider.label}) failed: ${(error as Error).message.split('\n')[0]}; deterministic verdict kept`,
    }
  }
  return {
    verdict,
    deterministicVerdict,
    reasons,
    summary,
    changes: changeTable,
    approvals: [...effects.approvals, ...(typedData?.approvals ?? [])],
    authority: effects.authority,
    decoded: decoded ?? null,
    simulation: simulation
      ? {
          success: simulation.success,
          ...(simulation.revertReason ? { revertReason: simulation.revertReason } : {}),
          gasUsed: simulation.gasUsed,
        }
      : null,
    model,
    request: { kind: request.kind, chainId: request.chainId, from: request.from, to: tx?.to ?? null },
    durationMs: performance.now() - t0,
  }
}

import {
  getAbiItem,
  getAddress,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  parseAbiItem,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { reputationRegistryAbi } from '@hermit/contracts'
import { getLogsPaged, readContract, writeAndWait } from '@hermit/chain'
import { shortMessageOf } from '@hermit/errors'
import type { Erc8004Client } from './client.ts'
import { Erc8004Error } from './errors.ts'
import { agentRegistryOf, getAgent } from './identity.ts'
import { clientAddressOf, parseFeedbackFile, type FeedbackFile, type ProofOfPayment } from './schemas.ts'
import { fetchUri, storeJson, type FileStore } from './uri.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}` as Hash
const MAX_ABS = 10n ** 38n

export type GiveFeedbackArgs = {
  agentId: bigint
  /** Signed fixed-point value: 9977 with valueDecimals 2 = 99.77. */
  value: bigint
  valueDecimals: number
  tag1?: string
  tag2?: string
  endpoint?: string
  proofOfPayment?: { fromAddress: Address; toAddress: Address; chainId: number; txHash: Hash }
  /** More fields for the feedback file (mcp, a2a, a job id…). */
  extra?: Record<string, unknown>
  /** Where the feedback file goes (default: on-chain as a data: URI). `false`: no file. */
  store?: FileStore | false
}

function jsonValue(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
}

/** Builds the ERC-8004 feedback file the client signs off on. */
export function buildFeedbackFile(
  c: Erc8004Client,
  client: Address,
  a: GiveFeedbackArgs,
  createdAt = new Date(),
): Record<string, unknown> {
  const file: Record<string, unknown> = {
    agentRegistry: agentRegistryOf(c),
    agentId: jsonValue(a.agentId),
    clientAddress: `eip155:${c.publicClient.chain.id}:${getAddress(client)}`,
    createdAt: createdAt.toISOString(),
    value: jsonValue(a.value),
    valueDecimals: a.valueDecimals,
    ...(a.tag1 ? { tag1: a.tag1 } : {}),
    ...(a.tag2 ? { tag2: a.tag2 } : {}),
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
    ...(a.proofOfPayment ? { proofOfPayment: { ...a.proofOfPayment, chainId: String(a.proofOfPayment.chainId) } } : {}),
    ...a.extra,
  }
  parseFeedbackFile(file) // a file Hermit writes must pass Hermit's own schema
  return file
}

/**
 * Gives feedback: writes the feedback file (data: URI by default, or to `store`), commits to it with
 * its keccak256, and calls giveFeedback. The agent's owner and operators cannot rate it.
 */
export async function giveFeedback(
  c: Erc8004Client,
  a: GiveFeedbackArgs,
): Promise<{
  feedbackIndex: bigint
  feedbackURI: string
  feedbackHash: Hash
  file?: Record<string, unknown>
  receipt: TransactionReceipt
}> {
  if (a.valueDecimals < 0 || a.valueDecimals > 18 || !Number.isInteger(a.valueDecimals))
    throw new Erc8004Error('ERC8004_BAD_ARGS', 'valueDecimals must be an integer from 0 to 18.')
  if (a.value > MAX_ABS || a.value < -MAX_ABS)
    throw new Erc8004Error('ERC8004_BAD_ARGS', '|value| must be at most 1e38.')
  const client = c.walletClient?.account.address
  let feedbackURI = ''
  let feedbackHash = ZERO_HASH
  let file: Record<string, unknown> | undefined
  if (a.store !== false && client) {
    file = buildFeedbackFile(c, client, a)
    ;({ uri: feedbackURI, hash: feedbackHash } = await storeJson(file, a.store))
  }
  const receipt = await writeAndWait(c, {
    address: c.registries.reputation,
    abi: reputationRegistryAbi,
    functionName: 'giveFeedback',
    args: [
      a.agentId,
      a.value,
      a.valueDecimals,
      a.tag1 ?? '',
      a.tag2 ?? '',
      a.endpoint ?? '',
      feedbackURI,
      feedbackHash,
    ],
  })
  const [event] = parseEventLogs({ abi: reputationRegistryAbi, eventName: 'NewFeedback', logs: receipt.logs })
  return { feedbackIndex: event!.args.feedbackIndex, feedbackURI, feedbackHash, ...(file ? { file } : {}), receipt }
}

export function revokeFeedback(c: Erc8004Client, agentId: bigint, feedbackIndex: bigint): Promise<TransactionReceipt> {
  return writeAndWait(c, {
    address: c.registries.reputation,
    abi: reputationRegistryAbi,
    functionName: 'revokeFeedback',
    args: [agentId, feedbackIndex],
  })
}

/** Answers a feedback (anyone may). With `response`, the JSON is stored and hashed like a feedback file. */
export async function appendResponse(
  c: Erc8004Client,
  a: { agentId: bigint; client: Address; feedbackIndex: bigint } & (
    | { responseURI: string; responseHash?: Hash }
    | { response: unknown; store?: FileStore }
  ),
): Promise<{ responseURI: string; responseHash: Hash; receipt: TransactionReceipt }> {
  let responseURI: string
  let responseHash: Hash
  if ('responseURI' in a) {
    responseURI = a.responseURI
    responseHash = a.responseHash ?? ZERO_HASH
  } else {
    ;({ uri: responseURI, hash: responseHash } = await storeJson(a.response, a.store))
  }
  const receipt = await writeAndWait(c, {
    address: c.registries.reputation,
    abi: reputationRegistryAbi,
    functionName: 'appendResponse',
    args: [a.agentId, a.client, a.feedbackIndex, responseURI, responseHash],
  })
  return { responseURI, responseHash, receipt }
}

export type Feedback = {
  client: Address
  feedbackIndex: bigint
  value: bigint
  valueDecimals: number
  tag1: string
  tag2: string
  isRevoked: boolean
}

const rep = (c: Erc8004Client) => ({ address: c.registries.reputation, abi: reputationRegistryAbi }) as const

export async function readFeedback(
  c: Erc8004Client,
  agentId: bigint,
  client: Address,
  feedbackIndex: bigint,
): Promise<Feedback> {
  const [value, valueDecimals, tag1, tag2, isRevoked] = await readContract(c.publicClient, {
    ...rep(c),
    functionName: 'readFeedback',
    args: [agentId, client, feedbackIndex],
  })
  return { client: getAddress(client), feedbackIndex, value, valueDecimals, tag1, tag2, isRevoked }
}

export async function readAllFeedback(
  c: Erc8004Client,
  agentId: bigint,
  options: { clients?: Address[]; tag1?: string; tag2?: string; includeRevoked?: boolean } = {},
): Promise<Feedback[]> {
  const [clients, indexes, values, decimals, tag1s, tag2s, revoked] = await readContract(c.publicClient, {
    ...rep(c),
    functionName: 'readAllFeedback',
    args: [agentId, options.clients ?? [], options.tag1 ?? '', options.tag2 ?? '', options.includeRevoked ?? false],
  })
  return clients.map((client, i) => ({
    client,
    feedbackIndex: BigInt(indexes[i]!),
    value: values[i]!,
    valueDecimals: decimals[i]!,
    tag1: tag1s[i]!,
    tag2: tag2s[i]!,
    isRevoked: revoked[i]!,
  }))
}

export type Summary = { count: bigint; value: bigint; valueDecimals: number }

/** On-chain summary over the named clients (the registry requires a non-empty list). */
export async function getSummary(
  c: Erc8004Client,
  agentId: bigint,
  clients: Address[],
  tag1 = '',
  tag2 = '',
): Promise<Summary> {
  if (clients.length === 0)
    throw new Erc8004Error('ERC8004_BAD_ARGS', 'getSummary needs at least one client address.', {
      hint: 'Name the clients you trust, or use reputationOf().',
    })
  const [count, value, valueDecimals] = await readContract(c.publicClient, {
    ...rep(c),
    functionName: 'getSummary',
    args: [agentId, clients, tag1, tag2],
  })
  return { count: BigInt(count), value, valueDecimals }
}

export const getClients = (c: Erc8004Client, agentId: bigint) =>
  readContract(c.publicClient, { ...rep(c), functionName: 'getClients', args: [agentId] }) as Promise<
    readonly Address[]
  >
export const getLastIndex = async (c: Erc8004Client, agentId: bigint, client: Address) =>
  BigInt(await readContract(c.publicClient, { ...rep(c), functionName: 'getLastIndex', args: [agentId, client] }))
export const getResponseCount = async (
  c: Erc8004Client,
  agentId: bigint,
  options: { client?: Address; feedbackIndex?: bigint; responders?: Address[] } = {},
) =>
  BigInt(
    await readContract(c.publicClient, {
      ...rep(c),
      functionName: 'getResponseCount',
      args: [
        agentId,
        options.client ?? '0x0000000000000000000000000000000000000000',
        options.feedbackIndex ?? 0n,
        options.responders ?? [],
      ],
    }),
  )

/**
 * The registry's averaging, off-chain: values at 18 decimals, the mean truncated toward zero, given
 * at the most common valueDecimals (ties: fewer), with fewer decimals if that would not fit int128.
 */
export function summarize(entries: Array<{ value: bigint; valueDecimals: number }>): Summary {
  if (entries.length === 0) return { count: 0n, value: 0n, valueDecimals: 0 }
  const seen = new Array<number>(19).fill(0)
  let sum = 0n
  for (const e of entries) {
    sum += e.value * 10n ** BigInt(18 - e.valueDecimals)
    seen[e.valueDecimals]!++
  }
  let mode = 0
  for (let d = 0; d <= 18; d++) if (seen[d]! > seen[mode]!) mode = d
  let avg = sum / BigInt(entries.length) / 10n ** BigInt(18 - mode)
  const max = 2n ** 127n - 1n
  while (avg > max || avg < -max - 1n) {
    avg /= 10n
    mode--
  }
  return { count: BigInt(entries.length), value: avg, valueDecimals: mode }
}

export type FeedbackRecord = Feedback & {
  endpoint: string
  feedbackURI: string
  feedbackHash: Hash
  blockNumber: bigint
}

/** Every NewFeedback of an agent (with the URIs the registry only emits), with revocation state. */
export async function feedbackHistory(
  c: Erc8004Client,
  agentId: bigint,
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
): Promise<FeedbackRecord[]> {
  const [given, revoked] = await Promise.all([
    getLogsPaged(c.publicClient, {
      address: c.registries.reputation,
      event: getAbiItem({ abi: reputationRegistryAbi, name: 'NewFeedback' }),
      args: { agentId },
      ...range,
    }),
    getLogsPaged(c.publicClient, {
      address: c.registries.reputation,
      event: getAbiItem({ abi: reputationRegistryAbi, name: 'FeedbackRevoked' }),
      args: { agentId },
      ...range,
    }),
  ])
  const isRevoked = new Set(revoked.map((l) => `${l.args.clientAddress}:${l.args.feedbackIndex}`))
  return given.map((l) => ({
    client: l.args.clientAddress!,
    feedbackIndex: BigInt(l.args.feedbackIndex!),
    value: l.args.value!,
    valueDecimals: l.args.valueDecimals!,
    tag1: l.args.tag1!,
    tag2: l.args.tag2!,
    isRevoked: isRevoked.has(`${l.args.clientAddress}:${l.args.feedbackIndex}`),
    endpoint: l.args.endpoint!,
    feedbackURI: l.args.feedbackURI!,
    feedbackHash: l.args.feedbackHash!,
    blockNumber: l.blockNumber,
  }))
}

const erc20Transfer = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

export type PaymentCheck = { ok: true; amount: bigint; token: Address | 'native' } | { ok: false; reason: string }

/**
 * Is `proof` a real, successful payment from `payer` to one of `payees` on this chain? Native value
 * sent straight to the payee, or an ERC-20 Transfer from payer to payee inside that transaction.
 */
export async function verifyPaymentProof(
  c: Erc8004Client,
  proof: ProofOfPayment,
  expect: { payer: Address; payees: Address[]; acceptedTokens?: Array<Address | 'native'>; minAmount?: bigint },
): Promise<PaymentCheck> {
  const same = (a: Address, b: Address) => isAddressEqual(a, b)
  const accepted = expect.acceptedTokens ?? ['native']
  const min = expect.minAmount ?? 1n
  if (proof.chainId !== c.publicClient.chain.id)
    return { ok: false, reason: `payment is on chain ${proof.chainId}, not this one` }
  if (expect.payees.some((p) => same(p, expect.payer))) return { ok: false, reason: 'the payer is the agent itself' }
  if (!same(proof.fromAddress, expect.payer)) return { ok: false, reason: 'payment is not from the feedback author' }
  if (!expect.payees.some((p) => same(p, proof.toAddress)))
    return { ok: false, reason: "payment is not to the agent's wallet or owner" }
  const [tx, receipt] = await Promise.all([
    c.publicClient.getTransaction({ hash: proof.txHash }).catch(() => undefined),
    c.publicClient.getTransactionReceipt({ hash: proof.txHash }).catch(() => undefined),
  ])
  if (!tx || !receipt) return { ok: false, reason: 'payment transaction not found' }
  if (receipt.status !== 'success') return { ok: false, reason: 'payment transaction reverted' }
  if (!same(tx.from, proof.fromAddress)) return { ok: false, reason: 'transaction sender is not the payer' }
  if (accepted.includes('native') && tx.to && same(tx.to, proof.toAddress) && tx.value >= min)
    return { ok: true, amount: tx.value, token: 'native' }
  // only Transfer logs of tokens the caller accepts: any contract can emit a fake Transfer event
  const transfers = parseEventLogs({ abi: [erc20Transfer], logs: receipt.logs }).filter(
    (l) =>
      accepted.some((t) => t !== 'native' && same(t, l.address)) &&
      same(l.args.from, proof.fromAddress) &&
      same(l.args.to, proof.toAddress),
  )
  const amount = transfers.reduce((s, l) => s + l.args.value, 0n)
  if (transfers.length > 0 && amount >= min) return { ok: true, amount, token: getAddress(transfers[0]!.address) }
  return { ok: false, reason: `transaction paid less than ${min} of an accepted asset from payer to payee` }
}

export type ReputationOptions = {
  /** Only feedback from these clients counts (e.g. a job-escrow hook, friends, auditors). */
  trustedClients?: Address[]
  /** Only feedback whose file proves a real payment to the agent (checked on-chain) counts. */
  requirePaymentProof?: boolean
  /** Assets a payment may be in (default: native ETH only); list the ERC-20s you accept. */
  acceptedTokens?: Array<Address | 'native'>
  /** Smallest payment that counts, in base units of the asset (default 1). */
  minPayment?: bigint
  tag1?: string
  tag2?: string
  fromBlock?: bigint
}

export type Reputation = Summary & {
  /** value / 10^valueDecimals as a JS number, for display. */
  average: number | null
  filter: 'none' | 'trusted-clients' | 'payment-proof' | 'trusted-clients+payment-proof'
  accepted: Array<{ client: Address; feedbackIndex: bigint; payment?: PaymentCheck }>
  rejected: Array<{ client: Address; feedbackIndex: bigint; reason: string }>
}

/**
 * An agent's reputation, counting only feedback you choose to trust. With neither option every
 * client counts (filter "none": open to Sybil feedback). `trustedClients` asks the registry;
 * `requirePaymentProof` reads every feedback file, checks its hash and its proofOfPayment
 * against the chain (the payer must be the author, the payee the agent, each payment used once).
 */
export async function reputationOf(
  c: Erc8004Client,
  agentId: bigint,
  options: ReputationOptions = {},
): Promise<Reputation> {
  const display = (s: Summary) => (s.count === 0n ? null : Number(s.value) / 10 ** s.valueDecimals)
  if (!options.requirePaymentProof) {
    const clients = options.trustedClients ?? [...(await getClients(c, agentId))]
    const summary =
      clients.length === 0
        ? { count: 0n, value: 0n, valueDecimals: 0 }
        : await getSummary(c, agentId, clients, options.tag1, options.tag2)
    return {
      ...summary,
      average: display(summary),
      filter: options.trustedClients ? 'trusted-clients' : 'none',
      accepted: [],
      rejected: [],
    }
  }
  const agent = await getAgent(c, agentId, { resolve: false })
  // the agent's own verified wallet when it has one (one per agent: a payment to an owner of many
  // agents cannot back feedback on all of them), its owner otherwise
  const payees = agent.agentWallet ? [agent.agentWallet] : [agent.owner]
  const insiders = [agent.owner, ...(agent.agentWallet ? [agent.agentWallet] : [])]
  const trusted = options.trustedClients
  const history = await feedbackHistory(
    c,
    agentId,
    options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock },
  )
  const accepted: Reputation['accepted'] = []
  const rejected: Reputation['rejected'] = []
  const counted: Array<{ value: bigint; valueDecimals: number }> = []
  const usedPayments = new Set<string>()
  for (const f of history) {
    const reject = (reason: string) => rejected.push({ client: f.client, feedbackIndex: f.feedbackIndex, reason })
    if (f.isRevoked) continue
    if (options.tag1 && f.tag1 !== options.tag1) continue
    if (options.tag2 && f.tag2 !== options.tag2) continue
    if (trusted && !trusted.some((a) => isAddressEqual(a, f.client))) continue
    if (insiders.some((a) => isAddressEqual(a, f.client))) {
      reject("feedback from the agent's own wallet")
      continue
    }
    if (!f.feedbackURI) {
      reject('no feedback file')
      continue
    }
    let file: FeedbackFile
    try {
      const bytes = await fetchUri(f.feedbackURI, c.uri)
      if (f.feedbackHash !== ZERO_HASH && keccak256(bytes as Hex | Uint8Array) !== f.feedbackHash) {
        reject('feedback file does not match its on-chain hash')
        continue
      }
      file = parseFeedbackFile(JSON.parse(Buffer.from(bytes).toString('utf8')))
    } catch (error) {
      reject(`feedback file unusable: ${shortMessageOf(error)}`)
      continue
    }
    if (
      !isAddressEqual(clientAddressOf(file), f.client) ||
      file.agentId !== agentId ||
      file.value !== f.value ||
      file.valueDecimals !== f.valueDecimals
    ) {
      reject('feedback file disagrees with the on-chain feedback')
      continue
    }
    if (!file.proofOfPayment) {
      reject('no proofOfPayment')
      continue
    }
    const payment = await verifyPaymentProof(c, file.proofOfPayment, {
      payer: f.client,
      payees,
      ...(options.acceptedTokens ? { acceptedTokens: options.acceptedTokens } : {}),
      ...(options.minPayment !== undefined ? { minAmount: options.minPayment } : {}),
    })
    if (!payment.ok) {
      reject(payment.reason)
      continue
    }
    const key = `${file.proofOfPayment.chainId}:${file.proofOfPayment.txHash.toLowerCase()}`
    if (usedPayments.has(key)) {
      reject('payment already backs another feedback')
      continue
    }
    usedPayments.add(key)
    accepted.push({ client: f.client, feedbackIndex: f.feedbackIndex, payment })
    counted.push({ value: f.value, valueDecimals: f.valueDecimals })
  }
  const summary = summarize(counted)
  return {
    ...summary,
    average: display(summary),
    filter: trusted ? 'trusted-clients+payment-proof' : 'payment-proof',
    accepted,
    rejected,
  }
}

import {
  decodeAbiParameters,
  erc20Abi,
  getAddress,
  parseAbiItem,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem'
import { getLogsPaged } from '@hermit/chain'
import type { Policy } from './context.ts'
import { beforeDeadline, nodeSaid, OutOfTime, type ContractFacts } from './facts.ts'

type Client = PublicClient<Transport, Chain>

/** What the chain's Transfer logs say about one address and the user. */
export type PeerSummary = {
  /** The user sent it a non-zero, non-dust amount, in a transaction the user signed. */
  paid: boolean
  /** It sent the user a non-zero, non-dust amount (any contract can emit such a log: it only counts as "seen"). */
  paidUser: boolean
  /** It appears in a zero-value or dust transfer with the user: the mark of address poisoning. */
  dust: boolean
}

/** The user's Transfer logs over the blocks read, summarized per counterparty (lower-case keys). */
export type ChainHistory = {
  fromBlock: bigint
  toBlock: bigint
  peers: Record<string, PeerSummary>
}

/** Who the user dealt with before, and how that is known. */
export type CounterpartyHistory = {
  /** Trusted: the address book, the policy's history, what the user signed through Hermit, whom the user paid. */
  trusted: Record<string, string>
  /** Seen but not trusted: addresses that paid the user. */
  seen: Record<string, string>
  /** Addresses seen only in zero-value or dust transfers with the user. */
  dust: string[]
  /** What reading the chain gave: the blocks read, or why nothing was. */
  chain: { status: 'read'; fromBlock: bigint; toBlock: bigint } | { status: 'unknown'; reason: string }
}

export type HistoryQuery = {
  latest: bigint
  /** How far back the logs are read (bounded: the newest blocks only). */
  maxBlocks: bigint
  pageSize: bigint
  deadline: number
  facts: ContractFacts
}

export const HISTORY_BLOCKS = 100_000n
const PAGE = 10_000n
/** Transactions whose sender is checked, newest first: bounds the look-ups. */
const MAX_SENDER_CHECKS = 64
/** Less than 1/10,000 of a whole token is dust. */
const DUST_DIVISOR = 10_000n

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')
const TRANSFER_SINGLE = parseAbiItem(
  'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
)
const TRANSFER_BATCH = parseAbiItem(
  'event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)',
)

type Seen = { token: Address; from: Address; to: Address; amount: bigint; nft: boolean; tx: Hash | null }

const topicAddress = (t: Hex | undefined) => getAddress(`0x${(t ?? '0x').slice(-40).padStart(40, '0')}`)

/** ERC-20/721/1155 transfers to and from `user` in [from, to], by bounded, paged eth_getLogs. */
async function transfersOf(client: Client, user: Address, from: bigint, to: bigint, q: HistoryQuery): Promise<Seen[]> {
  const page = (
    event: typeof TRANSFER | typeof TRANSFER_SINGLE | typeof TRANSFER_BATCH,
    args: Record<string, Address>,
  ) =>
    beforeDeadline(q.deadline, () =>
      getLogsPaged(client, { event, args, fromBlock: from, toBlock: to, pageSize: q.pageSize }),
    )
  const [out, inn, out1155, in1155, outBatch, inBatch] = await Promise.all([
    page(TRANSFER, { from: user }),
    page(TRANSFER, { to: user }),
    page(TRANSFER_SINGLE, { from: user }),
    page(TRANSFER_SINGLE, { to: user }),
    page(TRANSFER_BATCH, { from: user }),
    page(TRANSFER_BATCH, { to: user }),
  ])
  const seen: Seen[] = []
  for (const log of [...out, ...inn]) {
    const [, t1, t2, t3] = log.topics as Hex[]
    const nft = log.topics.length === 4
    const amount = nft ? 1n : BigInt(log.data === '0x' ? 0 : log.data.slice(0, 66))
    seen.push({
      token: log.address,
      from: topicAddress(t1),
      to: topicAddress(t2),
      amount,
      nft: nft && !!t3,
      tx: log.transactionHash,
    })
  }
  for (const log of [...out1155, ...in1155]) {
    const [, , t2, t3] = log.topics as Hex[]
    const amount = BigInt(`0x${log.data.slice(66, 130) || '0'}`)
    seen.push({
      token: log.address,
      from: topicAddress(t2),
      to: topicAddress(t3),
      amount,
      nft: true,
      tx: log.transactionHash,
    })
  }
  for (const log of [...outBatch, ...inBatch]) {
    const [, , t2, t3] = log.topics as Hex[]
    let values: readonly bigint[]
    try {
      ;[, values] = decodeAbiParameters([{ type: 'uint256[]' }, { type: 'uint256[]' }], log.data)
    } catch {
      continue // not the ERC-1155 layout: a contract may emit any bytes under this topic
    }
    // one entry per id: a batch of zero values is the same dust mark as a zero-value TransferSingle
    for (const amount of values)
      seen.push({
        token: log.address,
        from: topicAddress(t2),
        to: topicAddress(t3),
        amount,
        nft: true,
        tx: log.transactionHash,
      })
  }
  return seen
}

async function decimalsOf(client: Client, tokens: Address[], q: HistoryQuery): Promise<Map<Address, number>> {
  const out = new Map<Address, number>()
  await Promise.all(
    tokens.slice(0, 32).map(async (address) => {
      const d = await beforeDeadline(q.deadline, () =>
        client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
      ).catch(() => undefined)
      if (d !== undefined) out.set(address, Number(d))
    }),
  )
  return out
}

/** Summarizes new transfers into `peers` (merged with what was read before). */
async function summarize(
  client: Client,
  user: Address,
  seen: Seen[],
  peers: Record<string, PeerSummary>,
  q: HistoryQuery,
) {
  const fungible = [...new Set(seen.filter((s) => !s.nft).map((s) => s.token))]
  const decimals = await decimalsOf(client, fungible, q)
  const isDust = (s: Seen) => {
    if (s.amount === 0n) return true
    const d = s.nft ? undefined : decimals.get(s.token)
    return d !== undefined && s.amount * DUST_DIVISOR < 10n ** BigInt(d)
  }
  // a log saying "the user paid X" counts only if the user signed that transaction: anyone can emit the log
  const paying = seen.filter((s) => s.from === user && s.to !== user && !isDust(s) && s.tx)
  const hashes = [...new Set(paying.map((s) => s.tx!))].slice(-MAX_SENDER_CHECKS)
  const senders = new Map<Hash, Address | null>()
  await Promise.all(
    hashes.map(async (hash) => {
      const tx = await beforeDeadline(q.deadline, () => client.getTransaction({ hash })).catch(() => null)
      senders.set(hash, tx ? getAddress(tx.from) : null)
    }),
  )
  const peer = (a: Address) => (peers[a.toLowerCase()] ??= { paid: false, paidUser: false, dust: false })
  for (const s of seen) {
    const other = s.from === user ? s.to : s.from
    if (other === user || /^0x0{40}$/i.test(other)) continue
    const p = peer(other)
    if (isDust(s)) p.dust = true
    else if (s.from === user) p.paid ||= !!s.tx && senders.get(s.tx) === user
    else p.paidUser = true
  }
}

/**
 * The user's counterparties from the chain: Transfer (ERC-20/721), TransferSingle and TransferBatch
 * (ERC-1155) logs to and from the user in the newest `maxBlocks`, cached per chain and extended to the new
 * head on the next call. Never throws: what the node refuses makes the history "unknown".
 */
export async function chainHistory(
  client: Client,
  user: Address,
  q: HistoryQuery,
): Promise<ChainHistory | { unknown: string }> {
  const chain = await beforeDeadline(q.deadline, () => q.facts.chainOf(client)).catch(() => null)
  const oldest = q.latest >= q.maxBlocks ? q.latest - q.maxBlocks + 1n : 0n
  const remembered = chain === null ? undefined : q.facts.history(chain, user)
  // a head below what was read means the chain went back (a reorg, a devnet revert): read again
  const cached = remembered && remembered.toBlock <= q.latest ? remembered : undefined
  if (cached && cached.toBlock === q.latest && cached.fromBlock <= oldest) return cached
  const from = cached && cached.fromBlock <= oldest ? cached.toBlock + 1n : oldest
  const peers: Record<string, PeerSummary> = cached && cached.fromBlock <= oldest ? structuredClone(cached.peers) : {}
  try {
    const seen = await transfersOf(client, getAddress(user), from, q.latest, q)
    await summarize(client, getAddress(user), seen, peers, q)
  } catch (error) {
    return {
      unknown:
        error instanceof OutOfTime ? 'no answer within the time allowed' : `eth_getLogs refused: ${nodeSaid(error)}`,
    }
  }
  const read: ChainHistory = {
    fromBlock: cached && cached.fromBlock <= oldest ? cached.fromBlock : oldest,
    toBlock: q.latest,
    peers,
  }
  if (chain !== null) q.facts.rememberHistory(chain, user, read)
  return read
}

/** Everything known about the user's counterparties: the policy, Hermit's own record, and the chain. */
export function counterpartyHistory(
  policy: Policy,
  recorded: Address[],
  chain: ChainHistory | { unknown: string } | null,
): CounterpartyHistory {
  const trusted: Record<string, string> = {}
  const seen: Record<string, string> = {}
  for (const [name, a] of Object.entries(policy.addressBook)) trusted[a.toLowerCase()] = `address book (${name})`
  for (const a of policy.history) trusted[a.toLowerCase()] ??= 'policy history'
  for (const a of recorded) trusted[a.toLowerCase()] ??= 'signed through Hermit'
  const dust: string[] = []
  if (chain && 'peers' in chain) {
    for (const [a, p] of Object.entries(chain.peers)) {
      if (p.paid) trusted[a] ??= 'you paid it before'
      // a big "payment" from it can be a fake token's log; a dust transfer is what poisoners send
      else if (p.dust) {
        if (!trusted[a]) dust.push(a)
      } else if (p.paidUser) seen[a] = 'it paid you before'
    }
  }
  return {
    trusted,
    seen,
    dust,
    chain:
      chain === null
        ? { status: 'unknown', reason: 'not read (no chain)' }
        : 'peers' in chain
          ? { status: 'read', fromBlock: chain.fromBlock, toBlock: chain.toBlock }
          : { status: 'unknown', reason: chain.unknown },
  }
}

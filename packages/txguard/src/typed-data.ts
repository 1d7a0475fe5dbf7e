import { getAddress, isAddress, type Address } from 'viem'
import type { Approval } from './effects.ts'
import type { TypedDataRequest } from './request.ts'

export type OrderItem = {
  kind: 'native' | 'erc20' | 'erc721' | 'erc1155' | 'unknown'
  token: Address | null
  id?: bigint
  amount: bigint
  /** A Seaport criteria item whose criteria is 0: any token id of the collection. */
  anyId?: boolean
}

export type TypedDataSummary = {
  kind:
    | 'permit'
    | 'dai-permit'
    | 'permit2-single'
    | 'permit2-batch'
    | 'permit2-transfer'
    | 'seaport-order'
    | 'blur-order'
    | 'unknown'
  primaryType: string
  /** What signing would let someone else do with the user's assets. */
  approvals: Approval[]
  /** For marketplace orders: what the signer gives and what comes back to the signer. */
  order?: {
    gives: OrderItem[]
    receives: OrderItem[]
    /** Consideration items paid to someone other than the signer (fees, royalties — or the whole price). */
    toOthers?: Array<OrderItem & { recipient: Address | null }>
  }
  deadline?: bigint
  /** The latest moment (unix seconds) anything signed here can still be used: deadlines and allowance expirations. */
  expiresAt?: bigint
}

const addr = (v: unknown): Address | null =>
  typeof v === 'string' && isAddress(v, { strict: false }) ? getAddress(v) : null
const big = (v: unknown): bigint => {
  try {
    return BigInt(v as string | number | bigint)
  } catch {
    return 0n
  }
}
const SEAPORT_ITEM: Record<number, OrderItem['kind']> = {
  0: 'native',
  1: 'erc20',
  2: 'erc721',
  3: 'erc1155',
  4: 'erc721',
  5: 'erc1155',
}

/** Reads what an EIP-712 request really authorizes: permits, Permit2, Seaport and Blur orders. */
export function summarizeTypedData(req: TypedDataRequest): TypedDataSummary {
  const { domain, primaryType, message: m } = req.typedData
  const owner = req.from
  const base = { primaryType, approvals: [] as Approval[] }
  const token = domain.verifyingContract ?? null
  if (primaryType === 'Permit' && 'spender' in m && 'value' in m && token) {
    return {
      ...base,
      kind: 'permit',
      deadline: big(m.deadline),
      expiresAt: big(m.deadline),
      approvals: [{ kind: 'erc20', token, owner, spender: addr(m.spender)!, amount: big(m.value), via: 'permit' }],
    }
  }
  if (primaryType === 'Permit' && 'allowed' in m && token) {
    const amount = m.allowed === true || m.allowed === 'true' ? 2n ** 256n - 1n : 0n
    return {
      ...base,
      kind: 'dai-permit',
      deadline: big(m.expiry),
      // DAI's expiry 0 means "never"
      expiresAt: big(m.expiry) === 0n ? 2n ** 256n - 1n : big(m.expiry),
      approvals: [{ kind: 'erc20', token, owner, spender: addr(m.spender)!, amount, via: 'permit' }],
    }
  }
  const permit2 = token ?? ('0x000000000022D473030F116dDEE9F6B43aC78BA3' as Address)
  /** Through Permit2, `m.spender` may move each item's token and amount until its expiration. */
  const permit2Approvals = (
    items: Array<Record<string, unknown>>,
    expiration: (item: Record<string, unknown>) => unknown,
  ): Approval[] => {
    const spender = addr(m.spender)!
    return items.map((i) => ({
      kind: 'permit2',
      permit2,
      owner,
      token: addr(i.token)!,
      spender,
      amount: big(i.amount),
      expiration: big(expiration(i)),
    }))
  }
  if (primaryType === 'PermitSingle' || primaryType === 'PermitBatch') {
    const details = (primaryType === 'PermitSingle' ? [m.details] : (m.details as unknown[])) as Array<
      Record<string, unknown>
    >
    const approvals = permit2Approvals(details, (d) => d.expiration)
    return {
      ...base,
      kind: primaryType === 'PermitSingle' ? 'permit2-single' : 'permit2-batch',
      deadline: big(m.sigDeadline),
      // the allowance outlives the signature's deadline: it lasts until its own expiration
      expiresAt: approvals.reduce((max, a) => (a.kind === 'permit2' && a.expiration > max ? a.expiration : max), 0n),
      approvals,
    }
  }
  if (
    primaryType === 'PermitTransferFrom' ||
    primaryType === 'PermitBatchTransferFrom' ||
    primaryType === 'PermitWitnessTransferFrom'
  ) {
    const permitted = (Array.isArray(m.permitted) ? m.permitted : [m.permitted]) as Array<Record<string, unknown>>
    return {
      ...base,
      kind: 'permit2-transfer',
      deadline: big(m.deadline),
      expiresAt: big(m.deadline),
      // a signature transfer is good until the permit's own deadline
      approvals: permit2Approvals(permitted, () => m.deadline),
    }
  }
  if (primaryType === 'OrderComponents' && Array.isArray(m.offer) && Array.isArray(m.consideration)) {
    // Dutch/English auctions move between startAmount and endAmount: count the worse end for the signer
    const low = (i: Record<string, unknown>) =>
      big(i.startAmount) < big(i.endAmount) ? big(i.startAmount) : big(i.endAmount)
    const item = (i: Record<string, unknown>): OrderItem => ({
      kind: SEAPORT_ITEM[Number(i.itemType)] ?? 'unknown',
      token: addr(i.token),
      id: big(i.identifierOrCriteria),
      amount: low(i),
      // item types 4 and 5 are ERC-721/1155 "with criteria": criteria 0 means any token id at all
      ...((Number(i.itemType) === 4 || Number(i.itemType) === 5) && big(i.identifierOrCriteria) === 0n
        ? { anyId: true }
        : {}),
    })
    const offerer = addr(m.offerer) ?? owner
    const gives = (m.offer as Array<Record<string, unknown>>).map(item)
    const consideration = m.consideration as Array<Record<string, unknown>>
    const receives = consideration.filter((c) => addr(c.recipient) === offerer).map(item)
    const toOthers = consideration
      .filter((c) => addr(c.recipient) !== offerer)
      .map((c) => ({ ...item(c), recipient: addr(c.recipient) }))
    return {
      ...base,
      kind: 'seaport-order',
      deadline: big(m.endTime),
      expiresAt: big(m.endTime),
      order: { gives, receives, toOthers },
    }
  }
  if (primaryType === 'Order' && 'trader' in m && 'collection' in m && 'side' in m) {
    const nft: OrderItem = { kind: 'erc721', token: addr(m.collection), id: big(m.tokenId), amount: big(m.amount ?? 1) }
    // the seller gets the price minus every fee (rates in basis points); fees can be 100% to someone else
    const fees = (Array.isArray(m.fees) ? (m.fees as Array<Record<string, unknown>>) : []).reduce(
      (sum, f) => sum + big(f.rate),
      0n,
    )
    const net = fees >= 10_000n ? 0n : (big(m.price) * (10_000n - fees)) / 10_000n
    const pay: OrderItem = {
      kind: addr(m.paymentToken) === '0x0000000000000000000000000000000000000000' ? 'native' : 'erc20',
      token: addr(m.paymentToken),
      amount: Number(m.side) === 1 ? net : big(m.price),
    }
    // Blur: side 1 = sell (the trader gives the NFT and is paid), 0 = buy
    const order = Number(m.side) === 1 ? { gives: [nft], receives: [pay] } : { gives: [pay], receives: [nft] }
    return { ...base, kind: 'blur-order', deadline: big(m.expirationTime), expiresAt: big(m.expirationTime), order }
  }
  return { ...base, kind: 'unknown' }
}

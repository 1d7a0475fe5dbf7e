import { decodeAbiParameters, getAddress, isAddressEqual, toEventSelector, type Address, type Hex } from 'viem'
import type { RawLog, Simulation } from './simulate.ts'

export type Asset =
  | { kind: 'native' }
  | { kind: 'erc20'; token: Address }
  | { kind: 'erc721'; token: Address; tokenId: bigint }
  | { kind: 'erc1155'; token: Address; id: bigint }

export type Transfer = {
  asset: Asset
  from: Address
  to: Address
  amount: bigint
  /** Who made the token contract move it (msg.sender): `from` itself, or a spender or operator pulling it. */
  by?: Address
  /** The selector of the call that moved it (see RawLog.via). */
  via?: Hex
}

/** Which part of a Safe's configuration an event changes. */
export type SafeChange = 'owner' | 'threshold' | 'module' | 'guard' | 'fallback'

export type Approval =
  | {
      kind: 'erc20'
      token: Address
      owner: Address
      spender: Address
      amount: bigint
      via: 'approve' | 'permit' | 'permit2'
    }
  | { kind: 'erc721'; token: Address; owner: Address; spender: Address; tokenId: bigint }
  | { kind: 'operator'; token: Address; owner: Address; spender: Address; approved: boolean }
  | {
      kind: 'permit2'
      token: Address
      owner: Address
      spender: Address
      amount: bigint
      expiration: bigint
      permit2: Address
    }

export type AuthorityChange =
  | { kind: 'ownership'; contract: Address; from: Address; to: Address }
  | { kind: 'upgrade'; contract: Address; implementation: Address }
  | { kind: 'admin'; contract: Address; from: Address; to: Address }
  | { kind: 'beacon'; contract: Address; beacon: Address }
  /** A Safe's owners, threshold, modules, guard or fallback handler change (`target`: the owner, module, guard or handler; `threshold`: the new one). */
  | { kind: 'safe-config'; contract: Address; change: SafeChange; event: string; target?: Address; threshold?: bigint }

export type Effects = {
  transfers: Transfer[]
  approvals: Approval[]
  authority: AuthorityChange[]
  created: Address[]
  delegateCalls: Array<{ from: Address; to: Address }>
}

const T = {
  transfer: toEventSelector('event Transfer(address indexed from, address indexed to, uint256 value)'),
  approval: toEventSelector('event Approval(address indexed owner, address indexed spender, uint256 value)'),
  approvalForAll: toEventSelector(
    'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
  ),
  transferSingle: toEventSelector(
    'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
  ),
  transferBatch: toEventSelector(
    'event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)',
  ),
  permit2Approval: toEventSelector(
    'event Approval(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration)',
  ),
  permit2Permit: toEventSelector(
    'event Permit(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration, uint48 nonce)',
  ),
  ownership: toEventSelector('event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)'),
  upgraded: toEventSelector('event Upgraded(address indexed implementation)'),
  adminChanged: toEventSelector('event AdminChanged(address previousAdmin, address newAdmin)'),
  beacon: toEventSelector('event BeaconUpgraded(address indexed beacon)'),
  wethDeposit: toEventSelector('event Deposit(address indexed dst, uint256 wad)'),
  wethWithdrawal: toEventSelector('event Withdrawal(address indexed src, uint256 wad)'),
}

/**
 * WETH9 emits no Transfer when it wraps or unwraps: `Deposit(dst, wad)` is a mint of wad to dst and
 * `Withdrawal(src, wad)` a burn. Other contracts use the same event signatures for other meanings
 * (a staking pool's "Deposit"), so one counts only when the native coin really moved to match: wad
 * into the emitting contract for a Deposit, wad out of it to src for a Withdrawal.
 */
function wrappedNative(log: RawLog, sim: Simulation): Transfer | null {
  const [t0, t1] = log.topics
  if ((t0 !== T.wethDeposit && t0 !== T.wethWithdrawal) || log.topics.length !== 2 || log.data.length !== 66)
    return null
  const who = topicAddress(t1)
  const wad = word(log.data)
  const asset = { kind: 'erc20', token: log.address } as const
  const zero = getAddress('0x0000000000000000000000000000000000000000')
  const by = { ...(log.caller ? { by: log.caller } : {}), ...(log.via ? { via: log.via } : {}) }
  if (t0 === T.wethDeposit)
    return sim.nativeTransfers.some((t) => isAddressEqual(t.to, log.address) && t.value === wad)
      ? { asset, from: zero, to: who, amount: wad, ...by }
      : null
  return sim.nativeTransfers.some(
    (t) => isAddressEqual(t.from, log.address) && isAddressEqual(t.to, who) && t.value === wad,
  )
    ? { asset, from: who, to: zero, amount: wad, ...by }
    : null
}

/**
 * Safe configuration events (the address is indexed since 1.3, in the data before): event → what it
 * changes. The topic hash does not depend on `indexed`, so one entry serves every version.
 */
const SAFE_EVENTS = new Map<Hex, { change: SafeChange; event: string }>(
  (
    [
      ['AddedOwner', 'address', 'owner'],
      ['RemovedOwner', 'address', 'owner'],
      ['ChangedThreshold', 'uint256', 'threshold'],
      ['EnabledModule', 'address', 'module'],
      ['DisabledModule', 'address', 'module'],
      ['ChangedGuard', 'address', 'guard'],
      ['ChangedFallbackHandler', 'address', 'fallback'],
    ] as const
  ).map(([event, type, change]) => [toEventSelector(`event ${event}(${type} x)`), { change, event }]),
)

const topicAddress = (t: Hex | undefined) => getAddress(`0x${(t ?? '0x').slice(-40)}`)
const word = (data: Hex, i = 0) => BigInt(`0x${data.slice(2 + i * 64, 2 + (i + 1) * 64) || '0'}`)

function fromLog(log: RawLog, e: Effects): void {
  const [t0, t1, t2, t3] = log.topics
  const n = log.topics.length
  const by = { ...(log.caller ? { by: log.caller } : {}), ...(log.via ? { via: log.via } : {}) }
  const safe = t0 ? SAFE_EVENTS.get(t0) : undefined
  if (safe) {
    const target =
      safe.change === 'threshold'
        ? undefined
        : t1
          ? topicAddress(t1)
          : log.data.length >= 66
            ? topicAddress(`0x${log.data.slice(2, 66)}`)
            : undefined
    e.authority.push({
      kind: 'safe-config',
      contract: log.address,
      change: safe.change,
      event: safe.event,
      ...(target ? { target } : {}),
      ...(safe.change === 'threshold' && log.data.length >= 66 ? { threshold: word(log.data) } : {}),
    })
    return
  }
  if (t0 === T.transfer && n === 3)
    e.transfers.push({
      asset: { kind: 'erc20', token: log.address },
      from: topicAddress(t1),
      to: topicAddress(t2),
      amount: word(log.data),
      ...by,
    })
  else if (t0 === T.transfer && n === 4)
    e.transfers.push({
      asset: { kind: 'erc721', token: log.address, tokenId: BigInt(t3!) },
      from: topicAddress(t1),
      to: topicAddress(t2),
      amount: 1n,
      ...by,
    })
  else if (t0 === T.approval && n === 3)
    e.approvals.push({
      kind: 'erc20',
      token: log.address,
      owner: topicAddress(t1),
      spender: topicAddress(t2),
      amount: word(log.data),
      via: 'approve',
    })
  else if (t0 === T.approval && n === 4)
    e.approvals.push({
      kind: 'erc721',
      token: log.address,
      owner: topicAddress(t1),
      spender: topicAddress(t2),
      tokenId: BigInt(t3!),
    })
  else if (t0 === T.approvalForAll && n === 3)
    e.approvals.push({
      kind: 'operator',
      token: log.address,
      owner: topicAddress(t1),
      spender: topicAddress(t2),
      approved: word(log.data) !== 0n,
    })
  else if (t0 === T.transferSingle && n === 4) {
    e.transfers.push({
      asset: { kind: 'erc1155', token: log.address, id: word(log.data, 0) },
      from: topicAddress(t2),
      to: topicAddress(t3),
      amount: word(log.data, 1),
      ...by,
    })
  } else if (t0 === T.transferBatch && n === 4) {
    const [ids, values] = decodeAbiParameters([{ type: 'uint256[]' }, { type: 'uint256[]' }], log.data)
    ids.forEach((id, i) =>
      e.transfers.push({
        asset: { kind: 'erc1155', token: log.address, id },
        from: topicAddress(t2),
        to: topicAddress(t3),
        amount: values[i]!,
        ...by,
      }),
    )
  } else if ((t0 === T.permit2Approval || t0 === T.permit2Permit) && n === 4) {
    e.approvals.push({
      kind: 'permit2',
      permit2: log.address,
      owner: topicAddress(t1),
      token: topicAddress(t2),
      spender: topicAddress(t3),
      amount: word(log.data, 0),
      expiration: word(log.data, 1),
    })
  } else if (t0 === T.ownership && n === 3)
    e.authority.push({ kind: 'ownership', contract: log.address, from: topicAddress(t1), to: topicAddress(t2) })
  else if (t0 === T.upgraded && n === 2)
    e.authority.push({ kind: 'upgrade', contract: log.address, implementation: topicAddress(t1) })
  else if (t0 === T.adminChanged) {
    const [from, to] = decodeAbiParameters([{ type: 'address' }, { type: 'address' }], log.data)
    e.authority.push({ kind: 'admin', contract: log.address, from, to })
  } else if (t0 === T.beacon && n === 2)
    e.authority.push({ kind: 'beacon', contract: log.address, beacon: topicAddress(t1) })
}

/** What really changes: transfers, approvals, ownership/admin/implementation changes, creations. */
export function extractEffects(sim: Simulation): Effects {
  const e: Effects = {
    transfers: [],
    approvals: [],
    authority: [],
    created: [...sim.created],
    delegateCalls: [...sim.delegateCalls],
  }
  for (const t of sim.nativeTransfers)
    e.transfers.push({ asset: { kind: 'native' }, from: t.from, to: t.to, amount: t.value, by: t.from })
  for (const log of sim.logs) {
    const wrap = wrappedNative(log, sim)
    if (wrap) e.transfers.push(wrap)
    else fromLog(log, e)
  }
  return e
}

export const assetKey = (a: Asset): string =>
  a.kind === 'native'
    ? 'native'
    : a.kind === 'erc20'
      ? `erc20:${a.token}`
      : a.kind === 'erc721'
        ? `erc721:${a.token}:${a.tokenId}`
        : `erc1155:${a.token}:${a.id}`

export type BalanceChange = { holder: Address; asset: Asset; delta: bigint }

/** Net change per holder and asset (zero changes dropped), in first-seen order. */
export function balanceChanges(transfers: Transfer[]): BalanceChange[] {
  const map = new Map<string, BalanceChange>()
  const add = (holder: Address, asset: Asset, delta: bigint) => {
    if (holder === '0x0000000000000000000000000000000000000000') return
    const key = `${holder}|${assetKey(asset)}`
    const cur = map.get(key)
    if (cur) cur.delta += delta
    else map.set(key, { holder, asset, delta })
  }
  for (const t of transfers) {
    add(t.from, t.asset, -t.amount)
    add(t.to, t.asset, t.amount)
  }
  return [...map.values()].filter((c) => c.delta !== 0n)
}

import { getAddress, numberToHex, type Address, type Chain, type Hex, type PublicClient, type Transport } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import { SimulationError } from './errors.ts'

export type RawLog = {
  address: Address
  topics: Hex[]
  data: Hex
  /**
   * msg.sender of the code that emitted it (through delegatecalls, the proxy's caller): for a
   * Transfer, who moved the tokens — the holder itself, or a spender pulling through an allowance.
   */
  caller?: Address
  /** The 4-byte selector of the call whose code emitted it: a `transfer` the user called, or something else. */
  via?: Hex
}

export type Frame = {
  type: string
  from: Address
  to: Address | null
  value: bigint
  input: Hex
  error?: string
  revertReason?: string
  depth: number
  logs: RawLog[]
}

export type Simulation = {
  success: boolean
  revertReason?: string
  gasUsed: bigint
  /** Every call frame, depth first. */
  frames: Frame[]
  /** Logs of frames that did not revert, in order. */
  logs: RawLog[]
  /** ETH moved by calls (top-level value included), from frames that did not revert. */
  nativeTransfers: Array<{ from: Address; to: Address; value: bigint }>
  created: Address[]
  delegateCalls: Array<{ from: Address; to: Address }>
}

type TraceFrame = {
  type: string
  from: string
  to?: string
  value?: string
  input?: string
  error?: string
  revertReason?: string
  gasUsed?: string
  logs?: Array<{ address: string; topics: string[]; data: string }>
  calls?: TraceFrame[]
}

const VALUE_MOVING = new Set(['CALL', 'CALLCODE', 'CREATE', 'CREATE2', 'SELFDESTRUCT'])

export type SimulatedTx = {
  from: Address
  to?: Address | null
  value?: bigint
  data?: Hex
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
}

type RpcTx = ReturnType<typeof rpcTx>
type TraceOptions = { tracer: 'callTracer'; tracerConfig: { withLog: boolean } }

const rpcTx = (tx: SimulatedTx) => ({
  from: tx.from,
  ...(tx.to ? { to: tx.to } : {}),
  value: numberToHex(tx.value ?? 0n),
  data: tx.data ?? '0x',
  ...(tx.gas ? { gas: numberToHex(tx.gas) } : {}),
  ...(tx.gasPrice !== undefined ? { gasPrice: numberToHex(tx.gasPrice) } : {}),
  ...(tx.maxFeePerGas !== undefined ? { maxFeePerGas: numberToHex(tx.maxFeePerGas) } : {}),
  ...(tx.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: numberToHex(tx.maxPriorityFeePerGas) } : {}),
})

/**
 * Runs the transaction with `debug_traceCall` (call tracer with logs) on the given chain — a local
 * devnet or a fork, never a real network's mempool: nothing is sent or changed.
 */
export async function simulateTransaction(
  client: PublicClient<Transport, Chain>,
  tx: SimulatedTx,
): Promise<Simulation> {
  let root: TraceFrame
  try {
    // not in viem's public schema: the override names its parameters and result
    root = await client.request<{ Parameters: [RpcTx, 'latest', TraceOptions]; ReturnType: TraceFrame }>({
      method: 'debug_traceCall',
      params: [rpcTx(tx), 'latest', { tracer: 'callTracer', tracerConfig: { withLog: true } }],
    })
  } catch (cause) {
    throw new SimulationError(
      'TXGUARD_SIMULATION_FAILED',
      `The chain could not trace the transaction: ${shortMessageOf(cause)}`,
      {
        hint: 'Simulate on an Anvil devnet or fork (`hermit verify --rpc <url>` forks it for you).',
        cause,
      },
    )
  }
  const sim: Simulation = {
    success: !root.error,
    gasUsed: BigInt(root.gasUsed ?? '0x0'),
    frames: [],
    logs: [],
    nativeTransfers: [],
    created: [],
    delegateCalls: [],
  }
  if (root.error) sim.revertReason = root.revertReason ?? root.error
  const walk = (f: TraceFrame, depth: number, failedAbove: boolean, senderAbove: Address | null) => {
    const failed = failedAbove || Boolean(f.error)
    // a delegatecall runs with its caller's msg.sender: a token proxy's logs were caused by whoever called the proxy
    const sender = f.type === 'DELEGATECALL' && senderAbove ? senderAbove : getAddress(f.from)
    const frame: Frame = {
      type: f.type,
      from: getAddress(f.from),
      to: f.to ? getAddress(f.to) : null,
      value: BigInt(f.value ?? '0x0'),
      input: (f.input ?? '0x') as Hex,
      depth,
      logs: (f.logs ?? []).map((l) => ({
        address: getAddress(l.address),
        topics: l.topics as Hex[],
        data: l.data as Hex,
        caller: sender,
        ...(f.input && f.input.length >= 10 ? { via: f.input.slice(0, 10).toLowerCase() as Hex } : {}),
      })),
      ...(f.error ? { error: f.error } : {}),
      ...(f.revertReason ? { revertReason: f.revertReason } : {}),
    }
    sim.frames.push(frame)
    if (!failed) {
      sim.logs.push(...frame.logs)
      if (frame.value > 0n && frame.to && VALUE_MOVING.has(f.type))
        sim.nativeTransfers.push({ from: frame.from, to: frame.to, value: frame.value })
      if ((f.type === 'CREATE' || f.type === 'CREATE2') && frame.to) sim.created.push(frame.to)
      if (f.type === 'DELEGATECALL' && frame.to) sim.delegateCalls.push({ from: frame.from, to: frame.to })
    }
    for (const c of f.calls ?? []) walk(c, depth + 1, failed, sender)
  }
  walk(root, 0, false, null)
  return sim
}

/**
 * Runs `tx` and then `followUps` in one simulated block (eth_simulateV1, state carried over) and
 * says which follow-ups succeed: e.g. "can the tokens just bought be sold again?".
 */
export async function simulateFollowUps(
  client: PublicClient<Transport, Chain>,
  tx: SimulatedTx,
  followUps: SimulatedTx[],
): Promise<boolean[]> {
  const result = await client.request<{
    Parameters: [{ blockStateCalls: Array<{ calls: RpcTx[] }>; validation: boolean }, 'latest']
    ReturnType: Array<{ calls: Array<{ status: string }> }>
  }>({
    method: 'eth_simulateV1',
    params: [{ blockStateCalls: [{ calls: [rpcTx(tx), ...followUps.map(rpcTx)] }], validation: false }, 'latest'],
  })
  return (result[0]?.calls ?? []).slice(1).map((c) => c.status === '0x1')
}

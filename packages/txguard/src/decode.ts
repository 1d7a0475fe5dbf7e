import {
  decodeFunctionData,
  hexToNumber,
  slice,
  toFunctionSelector,
  type Abi,
  type AbiFunction,
  type Address,
  type Hex,
} from 'viem'
import { formatAbiItem } from 'viem/utils'
import { knownAbis, UNIVERSAL_ROUTER_COMMANDS } from './abis.ts'
import { lookupSelector } from './selectors.ts'

export type DecodedCall = {
  to: Address | null
  value: bigint
  /** First 4 bytes of the calldata, or null for a plain transfer. */
  selector: Hex | null
  name: string | null
  signature: string | null
  /** Which ABI family decoded it (ERC20, Permit2, Multicall3, user, …). */
  family: string | null
  source: 'bundled-abi' | 'user-abi' | 'selector-table' | 'unknown' | 'plain-transfer'
  args: Record<string, unknown>
  operation: 'call' | 'delegatecall'
  /** Calls nested inside (multicall, Safe execTransaction, smart-account execute, router commands). */
  calls: DecodedCall[]
}

export type DecodeOptions = {
  /** ABIs of the dapp's own contracts, tried before the bundled ones. */
  abis?: Abi[]
  maxDepth?: number
}

function named(fn: AbiFunction, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  fn.inputs.forEach((input, i) => {
    out[input.name && input.name !== '' ? input.name : `arg${i}`] = values[i]
  })
  return out
}

function tryAbi(abi: Abi, data: Hex): { fn: AbiFunction; args: readonly unknown[] } | undefined {
  try {
    const { functionName, args } = decodeFunctionData({ abi, data })
    const selector = slice(data, 0, 4)
    const fn = abi.find(
      (i): i is AbiFunction => i.type === 'function' && i.name === functionName && toFunctionSelector(i) === selector,
    )
    return fn ? { fn, args: args ?? [] } : undefined
  } catch {
    return undefined
  }
}

/** Decodes calldata with the dapp's ABIs, then Hermit's bundled ABIs, then the selector table. */
export function decodeCall(
  call: { to: Address | null | undefined; data: Hex; value?: bigint },
  options: DecodeOptions = {},
  depth = 0,
  operation: 'call' | 'delegatecall' = 'call',
): DecodedCall {
  const to = call.to ?? null
  const value = call.value ?? 0n
  const base = { to, value, operation, calls: [] as DecodedCall[] }
  if (call.data === '0x' || call.data.length < 10) {
    return { ...base, selector: null, name: null, signature: null, family: null, source: 'plain-transfer', args: {} }
  }
  const selector = slice(call.data, 0, 4)
  const candidates: Array<{ family: string; abi: Abi; source: DecodedCall['source'] }> = [
    ...(options.abis ?? []).map((abi) => ({ family: 'user', abi, source: 'user-abi' as const })),
    ...knownAbis.map((k) => ({ ...k, source: 'bundled-abi' as const })),
  ]
  for (const c of candidates) {
    const hit = tryAbi(c.abi, call.data)
    if (!hit) continue
    const decoded: DecodedCall = {
      ...base,
      selector,
      name: hit.fn.name,
      signature: formatAbiItem(hit.fn),
      family: c.family,
      source: c.source,
      args: named(hit.fn, hit.args),
    }
    if (depth < (options.maxDepth ?? 4)) decoded.calls = nested(decoded, options, depth + 1)
    return decoded
  }
  const fn = lookupSelector(selector)
  if (fn) {
    const hit = tryAbi([fn], call.data)
    return {
      ...base,
      selector,
      name: fn.name,
      signature: formatAbiItem(fn),
      family: null,
      source: 'selector-table',
      args: hit ? named(fn, hit.args) : {},
    }
  }
  return { ...base, selector, name: null, signature: null, family: null, source: 'unknown', args: {} }
}

type Call3 = { target: Address; callData: Hex; value?: bigint }

function nested(parent: DecodedCall, options: DecodeOptions, depth: number): DecodedCall[] {
  const a = parent.args
  const sub = (to: Address | null, data: Hex, value = 0n, op: 'call' | 'delegatecall' = 'call') =>
    decodeCall({ to, data, value }, options, depth, op)
  switch (parent.family === 'user' ? parent.name : `${parent.family}.${parent.name}`) {
    case 'Multicall3.aggregate':
    case 'Multicall3.aggregate3':
    case 'Multicall3.aggregate3Value':
      return (a.calls as Call3[]).map((c) => sub(c.target, c.callData, c.value ?? 0n))
    case 'Multicall3.tryAggregate':
      return (a.calls as Call3[]).map((c) => sub(c.target, c.callData))
    case 'UniswapV3Router.multicall':
      return (a.data as Hex[]).map((d) => sub(parent.to, d))
    case 'Safe.execTransaction':
      return [sub(a.to as Address, a.data as Hex, a.value as bigint, a.operation === 1 ? 'delegatecall' : 'call')]
    case 'UniversalRouter.execute': {
      const commands = a.commands as Hex
      const inputs = a.inputs as Hex[]
      const out: DecodedCall[] = []
      for (let i = 0; i < (commands.length - 2) / 2; i++) {
        const byte = hexToNumber(slice(commands, i, i + 1))
        const name = UNIVERSAL_ROUTER_COMMANDS[byte & 0x3f] ?? `COMMAND_0x${(byte & 0x3f).toString(16)}`
        out.push({
          to: parent.to,
          value: 0n,
          selector: null,
          name,
          signature: null,
          family: 'UniversalRouterCommand',
          source: 'bundled-abi',
          args: { input: inputs[i] ?? '0x', allowRevert: (byte & 0x80) !== 0 },
          operation: 'call',
          calls: [],
        })
      }
      return out
    }
    default:
      return []
  }
}

/** Every call in the tree, depth first (the root included). */
export function flattenCalls(root: DecodedCall): DecodedCall[] {
  return [root, ...root.calls.flatMap(flattenCalls)]
}

import {
  encodeFunctionData,
  erc20Abi,
  getAbiItem,
  isAddress,
  isHex,
  parseEther,
  parseUnits,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem'
import { McpToolError } from '../errors.ts'
import type { ToolMapping } from './config.ts'

export type BuiltTransaction = { chainId: number; from: Address; to: Address; value: string; data: Hex }

const fail = (message: string) =>
  new McpToolError('MCP_GUARD_MAPPING_FAILED', message, {
    hint: 'The guard forwards a chain-writing call only once it has checked the exact transaction; fix the arguments.',
  })

function text(args: Record<string, unknown>, name: string): string {
  const v = args[name]
  if (typeof v === 'string' && v.length > 0) return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  throw fail(`Argument ${name} is missing or not a string.`)
}

function address(args: Record<string, unknown>, name: string): Address {
  const v = text(args, name)
  // an ENS name would be resolved by the downstream, to an address the guard has not checked
  if (!isAddress(v, { strict: false })) throw fail(`Argument ${name} (${v.slice(0, 80)}) is not a 0x address.`)
  return v
}

function amount(v: string, unit: 'ether' | 'wei' | 'token' | 'base', decimals: number): bigint {
  try {
    if (unit === 'wei' || unit === 'base') {
      if (!/^\d+$/.test(v)) throw new Error('not an integer')
      return BigInt(v)
    }
    return unit === 'ether' ? parseEther(v) : parseUnits(v, decimals)
  } catch {
    throw fail(`Amount ${v.slice(0, 80)} is not a number in ${unit}.`)
  }
}

/** A string argument as the ABI type wants it (write_contract passes every argument as a string). */
function coerce(value: unknown, param: AbiParameter): unknown {
  if (typeof value !== 'string') return value
  if (/^u?int\d*$/.test(param.type)) return BigInt(value)
  if (param.type === 'bool') return value === 'true'
  if (param.type.endsWith(']') || param.type === 'tuple') return JSON.parse(value)
  return value
}

async function decimalsOf(client: PublicClient<Transport, Chain>, token: Address): Promise<number> {
  try {
    return await client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })
  } catch {
    throw fail(`${token} does not answer decimals(): not an ERC-20 on this chain.`)
  }
}

/** The transaction a downstream tool call would send, built the way the downstream builds it. */
export async function buildTransaction(
  mapping: ToolMapping,
  args: Record<string, unknown>,
  context: { client: PublicClient<Transport, Chain>; from: Address },
): Promise<BuiltTransaction> {
  const base = { chainId: context.client.chain.id, from: context.from }
  switch (mapping.kind) {
    case 'native-transfer':
      return {
        ...base,
        to: address(args, mapping.to),
        value: amount(text(args, mapping.amount), mapping.unit, 18).toString(),
        data: '0x',
      }
    case 'erc20-transfer':
    case 'erc20-approve': {
      const token = address(args, mapping.token)
      const decimals = mapping.unit === 'token' ? await decimalsOf(context.client, token) : 0
      const value = amount(text(args, mapping.amount), mapping.unit, decimals)
      const data =
        mapping.kind === 'erc20-transfer'
          ? encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [address(args, mapping.to), value] })
          : encodeFunctionData({
              abi: erc20Abi,
              functionName: 'approve',
              args: [address(args, mapping.spender), value],
            })
      return { ...base, to: token, value: '0', data }
    }
    case 'contract-call': {
      const to = address(args, mapping.contract)
      const name = text(args, mapping.functionName)
      let abi: Abi
      try {
        abi = JSON.parse(text(args, mapping.abi)) as Abi
      } catch {
        throw fail(
          `Without the ABI in ${mapping.abi} the guard cannot build ${name}'s calldata, so it does not forward it.`,
        )
      }
      const raw = args[mapping.args] ?? []
      if (!Array.isArray(raw)) throw fail(`Argument ${mapping.args} is not an array.`)
      const fn = getAbiItem({ abi, name }) as AbiFunction | undefined
      if (!fn || fn.type !== 'function') throw fail(`The ABI has no function ${name}.`)
      let data: Hex
      try {
        data = encodeFunctionData({
          abi: [fn],
          functionName: fn.name,
          args: raw.map((v, i) => coerce(v, fn.inputs[i]!)),
        })
      } catch {
        throw fail(`The arguments do not fit ${fn.name}(${fn.inputs.map((p) => p.type).join(',')}).`)
      }
      const v = mapping.value ? args[mapping.value] : undefined
      return {
        ...base,
        to,
        data,
        value: v === undefined || v === '' ? '0' : amount(String(v), mapping.valueUnit, 18).toString(),
      }
    }
    case 'raw-transaction': {
      const data = mapping.data ? args[mapping.data] : undefined
      if (data !== undefined && (typeof data !== 'string' || !isHex(data)))
        throw fail(`Argument ${mapping.data} is not hex.`)
      const v = mapping.value ? args[mapping.value] : undefined
      return {
        ...base,
        to: address(args, mapping.to),
        data: (data as Hex | undefined) ?? '0x',
        value: v === undefined ? '0' : amount(String(v), mapping.valueUnit, 18).toString(),
      }
    }
  }
}

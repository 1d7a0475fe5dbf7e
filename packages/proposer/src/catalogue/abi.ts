/**
 * The generic call: only a function of an ABI file the user supplies, named by the words; its
 * arguments read from the words and checked against the function's inputs. Nothing here trusts
 * the words (or a model) to say a type, a selector or bytes.
 */
import { readFileSync } from 'node:fs'
import { getAddress, isAddress, type AbiFunction } from 'viem'
import { z } from 'zod'
import { ProposerError } from '../errors.ts'

const param: z.ZodType<{ name?: string | undefined; type: string; internalType?: string | undefined }> = z.looseObject({
  name: z.string().optional(),
  type: z.string().regex(/^[a-z0-9[\]()]+$/, 'a Solidity type'),
  internalType: z.string().optional(),
})

export const abiFunctionSchema = z
  .looseObject({
    type: z.literal('function'),
    name: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'a function name'),
    inputs: z.array(param),
    outputs: z.array(param).default([]),
    stateMutability: z.enum(['pure', 'view', 'nonpayable', 'payable']),
  })
  .transform((f) => f as unknown as AbiFunction)

/** Anything else in an ABI (events, errors, the constructor) is kept only as a typed entry. */
const otherItem = z.looseObject({ type: z.enum(['constructor', 'event', 'error', 'fallback', 'receive']) })
const abiSchema = z.array(z.discriminatedUnion('type', [abiFunctionSchema, otherItem])).min(1)

export type UserAbi = AbiFunction[]

/**
 * The functions of an ABI in JSON (already parsed): a bare ABI array, or a compiler artifact
 * (Foundry, Hardhat) with the ABI under `abi`. A clear error naming the first bad field.
 */
export function parseUserAbi(json: unknown, source = 'The ABI file'): UserAbi {
  const list = json !== null && typeof json === 'object' && !Array.isArray(json) && 'abi' in json ? json.abi : json
  const parsed = abiSchema.safeParse(list)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ProposerError(
      'PROPOSER_ABI_INVALID',
      `${source} is not an ABI: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
      { cause: parsed.error, hint: 'Give the JSON ABI array, or a Foundry/Hardhat artifact with an "abi" field.' },
    )
  }
  return parsed.data.filter((i): i is AbiFunction => i.type === 'function')
}

export function readAbiFile(path: string): UserAbi {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new ProposerError('PROPOSER_ABI_INVALID', `Cannot read ${path} as JSON.`, {
      cause,
      hint: 'Give the path of a JSON ABI file (--abi <file>).',
    })
  }
  return parseUserAbi(json, path)
}

const signature = (f: AbiFunction) => `${f.name}(${f.inputs.map((i) => i.type).join(',')})`

/**
 * The function the words name: by exact name, else by name in any case (the parser reads words
 * in lower case), then by the number of arguments. Unknown, ambiguous or wrong arity: an error.
 */
export function pickFunction(abi: UserAbi, name: string, arity: number): AbiFunction {
  const exact = abi.filter((f) => f.name === name)
  const named = exact.length > 0 ? exact : abi.filter((f) => f.name.toLowerCase() === name.toLowerCase())
  if (named.length === 0)
    throw new ProposerError('PROPOSER_UNKNOWN_FUNCTION', `The ABI has no function "${name}".`, {
      hint: `Its functions: ${abi.map(signature).join(', ') || '(none)'}.`,
      details: { function: name },
    })
  const spelled = new Set(named.map((f) => f.name))
  if (spelled.size > 1)
    throw new ProposerError('PROPOSER_UNKNOWN_FUNCTION', `"${name}" could be ${[...spelled].join(' or ')}.`, {
      hint: 'Write the function name with its exact capitals.',
    })
  const fits = named.filter((f) => f.inputs.length === arity)
  if (fits.length === 0)
    throw new ProposerError(
      'PROPOSER_BAD_ARGUMENTS',
      `${named.map(signature).join(' / ')} takes ${named.map((f) => f.inputs.length).join(' or ')} argument(s), not ${arity}.`,
      { hint: 'Give every argument, in order ("call setNumber with 42 on the counter").' },
    )
  if (fits.length > 1)
    throw new ProposerError('PROPOSER_UNKNOWN_FUNCTION', `"${name}" with ${arity} argument(s) is overloaded.`, {
      hint: `Candidates: ${fits.map(signature).join(', ')}; the generic call cannot tell them apart.`,
    })
  const fn = fits[0]!
  if (fn.stateMutability === 'view' || fn.stateMutability === 'pure')
    throw new ProposerError('PROPOSER_UNSUPPORTED', `${signature(fn)} only reads: there is nothing to send.`, {
      hint: 'Read it with `cast call` or any RPC client; the proposer builds transactions.',
    })
  return fn
}

const INT = /^(u?)int(\d*)$/

/** One argument, as written, checked against its ABI type. Only numbers, addresses and booleans. */
function typed(raw: string, type: string, at: number, fn: AbiFunction): bigint | boolean | `0x${string}` {
  const bad = (why: string) =>
    new ProposerError('PROPOSER_BAD_ARGUMENTS', `Argument ${at + 1} of ${signature(fn)} (${type}): ${why}.`, {
      hint: 'Numbers in whole base units, addresses as 0x + 40 hex digits, booleans as true/false.',
      details: { argument: at + 1, type, value: raw.slice(0, 80) },
    })
  const int = INT.exec(type)
  if (int) {
    if (!/^-?\d{1,78}$/.test(raw)) throw bad(`"${raw}" is not a whole number`)
    const bits = BigInt(int[2] || '256')
    const v = BigInt(raw)
    const [min, max] = int[1] === 'u' ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n]
    if (v < min || v > max) throw bad(`${raw} is outside ${type}`)
    return v
  }
  if (type === 'address') {
    if (!isAddress(raw, { strict: false })) throw bad(`"${raw}" is not an address`)
    return getAddress(raw)
  }
  if (type === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw bad(`"${raw}" is not true or false`)
    return raw === 'true'
  }
  throw bad('only uint, int, address and bool arguments can be given in words')
}

export function typedArgs(fn: AbiFunction, raw: string[]): Array<bigint | boolean | `0x${string}`> {
  return raw.map((r, i) => typed(r.trim(), fn.inputs[i]!.type, i, fn))
}

export { signature as functionSignature }

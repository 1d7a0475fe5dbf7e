import { readFileSync } from 'node:fs'
import { formatPath } from '@hermit/errors'
import { z } from 'zod'
import { McpToolError } from '../errors.ts'
import { addressArg } from '../schemas.ts'

/**
 * How a downstream tool's arguments become the transaction it would send. Each string names one of
 * the tool's arguments. Amounts in `ether` or `token` units are decimal strings as people write
 * them ("0.5"); `wei` / `base` are integers in the smallest unit.
 */
const argName = z.string().min(1).max(100)
export const mappingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('native-transfer'),
    to: argName,
    amount: argName,
    unit: z.enum(['ether', 'wei']).default('ether'),
  }),
  z.strictObject({
    kind: z.literal('erc20-transfer'),
    token: argName,
    to: argName,
    amount: argName,
    unit: z.enum(['token', 'base']).default('token'),
  }),
  z.strictObject({
    kind: z.literal('erc20-approve'),
    token: argName,
    spender: argName,
    amount: argName,
    unit: z.enum(['token', 'base']).default('token'),
  }),
  z.strictObject({
    kind: z.literal('contract-call'),
    contract: argName,
    functionName: argName,
    args: argName,
    /** The argument carrying the ABI as a JSON string; without it (or when it is absent) the call is refused. */
    abi: argName,
    value: argName.optional(),
    valueUnit: z.enum(['ether', 'wei']).default('ether'),
  }),
  z.strictObject({
    kind: z.literal('raw-transaction'),
    to: argName,
    data: argName.optional(),
    value: argName.optional(),
    valueUnit: z.enum(['ether', 'wei']).default('wei'),
  }),
])
export type ToolMapping = z.output<typeof mappingSchema>

/** evm-mcp-server (@mcpdotdirect/evm-mcp-server)'s writing tools, with its argument names. */
export const BUILTIN_MAPPINGS: Readonly<Record<string, ToolMapping>> = {
  transfer_native: { kind: 'native-transfer', to: 'to', amount: 'amount', unit: 'ether' },
  transfer_erc20: { kind: 'erc20-transfer', token: 'tokenAddress', to: 'to', amount: 'amount', unit: 'token' },
  approve_token_spending: {
    kind: 'erc20-approve',
    token: 'tokenAddress',
    spender: 'spenderAddress',
    amount: 'amount',
    unit: 'token',
  },
  write_contract: {
    kind: 'contract-call',
    contract: 'contractAddress',
    functionName: 'functionName',
    args: 'args',
    abi: 'abiJson',
    value: 'value',
    valueUnit: 'ether',
  },
}

export const guardConfigSchema = z.strictObject({
  /** The downstream wallet's address: the guard never sees its key, so it is told whose transactions these are. */
  from: addressArg,
  /** Tool name → mapping; these are added to (and override) the built-in ones. */
  tools: z.record(z.string().min(1).max(100), mappingSchema).default({}),
  /** false: only `tools` are checked. */
  builtins: z.boolean().default(true),
  /** The argument a caller adds to a repeated call to accept a warning (stripped before forwarding). */
  acknowledgeArgument: z.string().min(1).max(100).default('hermit_acknowledge'),
})
export type GuardConfigInput = z.input<typeof guardConfigSchema>
export type GuardConfig = z.output<typeof guardConfigSchema>

export function parseGuardConfig(value: unknown, where = 'guard config'): GuardConfig {
  const parsed = guardConfigSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw new McpToolError('MCP_GUARD_CONFIG_INVALID', `${where}: ${formatPath(issue.path)}: ${issue.message}`, {
    hint: 'A guard config is { from: "0x…", tools: { name: { kind, …argument names } }, builtins, acknowledgeArgument }.',
  })
}

export function readGuardConfig(path: string): GuardConfig {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new McpToolError('MCP_GUARD_CONFIG_INVALID', `Cannot read the guard config ${path} as JSON.`, { cause })
  }
  return parseGuardConfig(value, path)
}

/** The mapping for `tool`: the config's, else a built-in one (unless turned off), else none (forwarded unchecked). */
export function mappingFor(config: GuardConfig, tool: string): ToolMapping | undefined {
  return config.tools[tool] ?? (config.builtins ? BUILTIN_MAPPINGS[tool] : undefined)
}

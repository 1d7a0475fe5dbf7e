/**
 * With a model: the catalogue is offered as tools with zod-typed parameters (words-level: symbols,
 * names, decimal amounts). The model only chooses actions; Hermit resolves every symbol, name and
 * amount (`@hermit/intent`) and builds every call (`planIntent`). A tool the catalogue lacks,
 * arguments that do not fit, or no tool call at all is a `PROPOSER_MODEL_INVALID`: nothing is built.
 */
import type { Address } from 'viem'
import { z } from 'zod'
import { chainFacts, decimalSchema, resolveIntent, type Intent } from '@hermit/intent'
import { defineTool, runWithTools, type LlmProvider, type Tool } from '@hermit/llm'
import { ProposerError } from './errors.ts'
import { CATALOGUE_TOOLS } from './catalogue/tools.ts'
import { planIntent, type Plan, type PlanOptions } from './plan.ts'

const asset = z.string().min(1).max(64).describe('a token symbol from the token list, or ETH')
const party = z.string().min(1).max(100).describe('a name from the address book, or an address')

/** Each tool: its parameters, and the intent it stands for (then resolved like the parser's). */
const BASE_TOOLS = {
  send: {
    description: 'Send ETH or a token to someone.',
    parameters: z.strictObject({ asset, amount: decimalSchema, to: party }),
    intent: (a: { asset: string; amount: string; to: string }): Intent => ({ action: 'send', ...a }),
  },
  swap: {
    description: 'Swap an exact amount of one token (or ETH) for another on Uniswap.',
    parameters: z.strictObject({ sell: asset, amount: decimalSchema, buy: asset, minOut: decimalSchema.optional() }),
    intent: (a: { sell: string; amount: string; buy: string; minOut?: string | undefined }): Intent => ({
      action: 'swap',
      sell: { asset: a.sell, amount: a.amount },
      buy: { asset: a.buy },
      ...(a.minOut === undefined ? {} : { minOut: a.minOut }),
    }),
  },
  approve: {
    description: 'Let a spender take an exact amount of a token.',
    parameters: z.strictObject({ token: asset, spender: party, amount: decimalSchema }),
    intent: (a: { token: string; spender: string; amount: string }): Intent => ({ action: 'approve', ...a }),
  },
  wrap: {
    description: 'Wrap ETH into WETH.',
    parameters: z.strictObject({ amount: decimalSchema }),
    intent: (a: { amount: string }): Intent => ({ action: 'wrap', amount: a.amount }),
  },
  unwrap: {
    description: 'Unwrap WETH into ETH.',
    parameters: z.strictObject({ amount: decimalSchema }),
    intent: (a: { amount: string }): Intent => ({ action: 'unwrap', amount: a.amount }),
  },
} as const
/** The agent, escrow, pool and generic-call tools follow the base ones. */
const TOOLS = { ...BASE_TOOLS, ...CATALOGUE_TOOLS }
type ToolName = keyof typeof TOOLS

const SYSTEM = [
  'You turn a wallet user\u2019s words into calls of the given tools, one call per action, in order.',
  'Use only the user\u2019s words: never add an action, an approval, an amount or a recipient they did not state.',
  'Amounts are decimal strings in whole units ("1000.5"). Then answer "done".',
].join(' ')

export type ModelPlanOptions = PlanOptions & {
  provider: LlmProvider
  addressBook: Record<string, Address>
  tokens: Record<string, Address>
  timeoutMs?: number
}

/** The model's plan for the words, resolved and built by Hermit. */
export async function planWithModel(words: string, o: ModelPlanOptions): Promise<Plan & { model: string }> {
  const chosen: Intent[] = []
  const tools: Tool[] = Object.entries(TOOLS).map(([name, t]) =>
    defineTool({
      name,
      description: t.description,
      parameters: t.parameters,
      run: (args: never) => {
        chosen.push((t.intent as (a: never) => Intent)(args))
        return { ok: true }
      },
    }),
  )
  const result = await runWithTools(o.provider, {
    messages: [
      { role: 'system', content: SYSTEM },
      {
        role: 'user',
        content: `Known names: ${Object.keys(o.addressBook).join(', ') || '(none)'}. Known tokens: ${Object.keys(o.tokens).join(', ') || '(none)'}.\n${words}`,
      },
    ],
    tools,
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  }).catch((cause: unknown) => {
    throw new ProposerError('PROPOSER_MODEL_INVALID', `The model gave no usable plan: ${(cause as Error).message}`, {
      cause,
      hint: 'Nothing was built or sent. Try again, or leave the model out (the parser reads the words).',
    })
  })
  // every call, not only the ones that ran: one bad call spoils the plan, never a partial plan
  for (const call of result.calls) {
    const tool = TOOLS[call.name as ToolName]
    if (!tool)
      throw new ProposerError(
        'PROPOSER_MODEL_INVALID',
        `The model called "${call.name}", which is not in the catalogue.`,
        {
          hint: `Nothing was built or sent. The catalogue's tools: ${Object.keys(TOOLS).join(', ')}.`,
        },
      )
    const args = tool.parameters.safeParse(call.arguments)
    if (!args.success) {
      const issue = args.error.issues[0]
      throw new ProposerError(
        'PROPOSER_MODEL_INVALID',
        `The model's ${call.name} call does not fit: ${issue?.path.join('.') || 'arguments'}: ${issue?.message}.`,
        { hint: 'Nothing was built or sent.', cause: args.error },
      )
    }
  }
  if (chosen.length === 0)
    throw new ProposerError('PROPOSER_MODEL_INVALID', 'The model called no tool: it proposed no action.', {
      hint: 'Nothing was built or sent. Say what to do plainly, or leave the model out.',
      details: { reply: result.content.slice(0, 200) },
    })
  const chain = chainFacts(o.client, { wrappedNative: o.protocols.weth, knownTokens: Object.values(o.tokens) })
  const plan: Plan = { steps: [], notes: [] }
  for (const intent of chosen) {
    const resolved = await resolveIntent(intent, { user: o.user, addressBook: o.addressBook, tokens: o.tokens, chain })
    const part = await planIntent(resolved, o)
    plan.steps.push(...part.steps)
    plan.notes.push(...part.notes)
  }
  return { ...plan, model: result.model }
}

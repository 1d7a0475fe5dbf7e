/**
 * The newer catalogue actions as model tools, words-level like model.ts's: names, symbols, decimal
 * amounts. A tool call only stands for an intent, which Hermit resolves and plans as the parser's
 * would be. No tool takes a ZK identity, a secret, an ABI, a selector or calldata: those come from the
 * user's own files, or are built by Hermit.
 */
import { z } from 'zod'
import { decimalSchema, type Intent } from '@hermit/intent'

const party = z.string().min(1).max(100).describe('a name from the address book, or an address')
const asset = z.string().min(1).max(64).describe('a token symbol from the token list, or ETH')
const digits = z.string().regex(/^\d{1,78}$/, 'a whole number in decimal')

export const CATALOGUE_TOOLS = {
  register_agent: {
    description: 'Register an ERC-8004 agent identity with its registration URI.',
    parameters: z.strictObject({ uri: z.string().min(1).max(2048).describe('the URI exactly as the user wrote it') }),
    intent: (a: { uri: string }): Intent => ({ action: 'agent.register', uri: a.uri }),
  },
  give_feedback: {
    description: 'Give an ERC-8004 agent a score from 0 to 100.',
    parameters: z.strictObject({ agentId: digits, score: decimalSchema }),
    intent: (a: { agentId: string; score: string }): Intent => ({ action: 'agent.feedback', ...a }),
  },
  fund_escrow_job: {
    description: 'Create an escrow job for a provider with an evaluator and a deadline, and escrow its budget.',
    parameters: z.strictObject({
      provider: party,
      evaluator: party,
      token: asset,
      amount: decimalSchema,
      expiresInSeconds: z.string().regex(/^[1-9]\d{0,9}$/, 'seconds from now'),
    }),
    intent: (a: {
      provider: string
      evaluator: string
      token: string
      amount: string
      expiresInSeconds: string
    }): Intent => ({
      action: 'escrow.fund',
      provider: a.provider,
      evaluator: a.evaluator,
      budget: { amount: a.amount, asset: a.token },
      expiresIn: a.expiresInSeconds,
    }),
  },
  deposit_pool: {
    description: 'Deposit into a ZK credit pool (the identity is the user\u2019s own, configured apart).',
    parameters: z.strictObject({ pool: party, asset, amount: decimalSchema }),
    intent: (a: { pool: string; asset: string; amount: string }): Intent => ({
      action: 'deposit',
      asset: a.asset,
      amount: a.amount,
      target: a.pool,
    }),
  },
  call_function: {
    description: 'Call a function, by name, of the contract ABI the user supplied, with its arguments in order.',
    parameters: z.strictObject({
      function: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/, 'a function name'),
      args: z
        .array(z.string().min(1).max(200))
        .max(16)
        .describe('each argument as written: numbers, addresses, true/false'),
      target: party,
      value: decimalSchema.optional().describe('ETH to send, only if the user said so'),
    }),
    intent: (a: { function: string; args: string[]; target: string; value?: string | undefined }): Intent => ({
      action: 'call',
      function: a.function,
      args: a.args,
      target: a.target,
      ...(a.value === undefined ? {} : { value: a.value }),
    }),
  },
} as const

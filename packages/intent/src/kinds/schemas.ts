import { z } from 'zod'

/**
 * Intent kinds for the proposer's newer catalogue actions: an ERC-8004 registration and feedback,
 * an escrowed job (ERC-8183), and a call of a function from an ABI the user supplies. Their fields
 * use the same primitives as intent.ts (kept here so that intent.ts can import this file without a cycle).
 */
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "1000.5"')
const party = z.string().min(1).max(100)
const asset = z.string().min(1).max(64)
const digits = z.string().regex(/^\d{1,78}$/, 'a whole number in decimal')

/** "register my agent at https://…": the URI is kept exactly as written (URIs are case-sensitive). */
const agentRegister = z.strictObject({
  action: z.literal('agent.register'),
  uri: z.string().min(1).max(2048),
})

/** "rate agent 3 a 90": a score from 0 to 100, as written (decimals allowed: "4.5"). */
const agentFeedback = z.strictObject({
  action: z.literal('agent.feedback'),
  agentId: digits,
  score: decimal,
})

/** "hire bob for 100 dUSD, evaluated by carol, due in 3 days": create a job and escrow its budget. */
const escrowFund = z.strictObject({
  action: z.literal('escrow.fund'),
  provider: party,
  evaluator: party,
  budget: z.strictObject({ amount: decimal, asset }),
  /** Seconds from now until the job expires (the words say "in 3 days", "within 24 hours"). */
  expiresIn: z.string().regex(/^[1-9]\d{0,9}$/, 'seconds, a whole number'),
  /** The escrow contract; absent = the one named "escrow" in the address book. */
  escrow: party.optional(),
})

/**
 * "call setNumber with 42 on the counter": a function by name, its arguments as written (checked
 * against the user's ABI by the proposer), and the most of the native coin it may take.
 */
const call = z.strictObject({
  action: z.literal('call'),
  function: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/, 'a function name'),
  args: z.array(z.string().min(1).max(200)).max(16),
  target: party,
  value: decimal.optional(),
})

export const KIND_SCHEMAS = [agentRegister, agentFeedback, escrowFund, call] as const
export const KIND_ACTIONS = ['agent.register', 'agent.feedback', 'escrow.fund', 'call'] as const
export type KindAction = (typeof KIND_ACTIONS)[number]

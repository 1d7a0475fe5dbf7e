import type { Address } from 'viem'
import type { ContractActivity } from './activity.ts'
import type { ContractAge } from './age.ts'
import type { TrustFacts } from './trust.ts'
import { z } from 'zod'
import { getAddress, isAddress } from 'viem'
import type { DecodedCall } from './decode.ts'
import type { BalanceChange, Effects } from './effects.ts'
import type { Constraints, IntentReading } from './constraints.ts'
import type { CounterpartyHistory } from './history.ts'
import type { VerifyRequest } from './request.ts'
import type { Simulation } from './simulate.ts'
import type { TypedDataSummary } from './typed-data.ts'

export type Severity = 'info' | 'warn' | 'block'
export type Verdict = 'allow' | 'warn' | 'block'

/** One reason, tied to its evidence; `id` is stable across versions (docs, tests, allow-lists). */
export type Finding = { id: string; severity: Severity; message: string; evidence: Record<string, unknown> }

export type AccountInfo = {
  isContract: boolean
  /** An EOA with an EIP-7702 delegation (code 0xef0100…). */
  delegated: boolean
  /** Code appeared within `recentBlocks` (or in this very transaction); null when unknown. */
  recent: boolean | null
  /** The user's own name for it, from the address book. */
  name: string | null
  /**
   * When the contract was created: the block or a bound, which method answered, and what every
   * method tried said (so "unknown" comes with its reason). null for an account without code.
   */
  age: ContractAge | null
  /** Distinct accounts that used it within `recentBlocks`; null when not counted (only approval spenders are). */
  activity: ContractActivity | null
}

export type TokenInfo = {
  kind: 'erc20' | 'erc721' | 'erc1155' | 'unknown'
  symbol?: string
  name?: string
  decimals?: number
  userBalance?: bigint
}

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
const quantity = z
  .union([z.bigint(), z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .transform((v) => BigInt(v))

export const policySchema = z.strictObject({
  /** People and contracts the user knows, by name: trusted counterparties and spenders. */
  addressBook: z.record(z.string().min(1), address).default({}),
  /** The user's token list: symbol → address. Intents are matched through it, never through a token's own symbol(). */
  tokens: z.record(z.string().min(1).max(20), address).default({}),
  /** Addresses the user has dealt with before (the address book counts too). */
  history: z.array(address).default([]),
  /** Largest outflow allowed per asset ("native" or a token address), in base units. */
  outflowLimits: z.record(z.string(), quantity).default({}),
  /** A contract younger than this many blocks counts as new (default 7200, about a day). */
  recentBlocks: z.number().int().nonnegative().default(7200),
  /**
   * A contract of unknown age that at least this many accounts used within `recentBlocks` is not
   * "unpopular": an unlimited approval or a permit to it is not flagged for its unknown age alone.
   */
  activeAccounts: z.number().int().positive().default(5),
})
export type Policy = z.output<typeof policySchema>
export type PolicyInput = z.input<typeof policySchema>

export type RuleContext = {
  request: VerifyRequest
  user: Address
  /** The signer and the smart wallet it drives, if any: their losses are the user's losses. */
  userAccounts: Address[]
  decoded?: DecodedCall
  simulation?: Simulation
  effects: Effects
  changes: BalanceChange[]
  typedData?: TypedDataSummary
  /** The user's words as read, when there were any: shown in the report. */
  reading?: IntentReading
  /** What the words allow; null when there are no words or they were not understood. */
  constraints: Constraints | null
  /** Who the user dealt with before: chain history, Hermit's own record, the policy. */
  history: CounterpartyHistory
  /** The time signatures' expiries are measured from (the chain's latest block, in seconds). */
  now: bigint
  policy: Policy
  accounts: Record<Address, AccountInfo>
  tokens: Record<Address, TokenInfo>
  /** Tokens the user would receive but could not send on afterwards. */
  unsellable: Address[]
  /** Tokens received whose resale could not be simulated (no eth_simulateV1): unknown, not safe. */
  sellUnchecked: Address[]
  /** Contracts the dapp says it uses (untrusted, but a counterparty the user is knowingly talking to). */
  dappContracts: Address[]
  /** Trust models (@hermit/trust) of the approval spenders and deposit targets; absent when not read. */
  trust?: Record<Address, TrustFacts>
}

export type Rule = { id: string; description: string; check(ctx: RuleContext): Finding[] }

export const UNLIMITED_THRESHOLD = 2n ** 159n

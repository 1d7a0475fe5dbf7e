/**
 * The catalogue's agent, escrow, ZK-pool and generic-call actions, with zod-typed parameters and
 * calldata built by Hermit with viem from `@hermit/contracts` ABIs (or, for a generic call, from the
 * one function of the user's ABI file that the words name). Its own file (no import of actions.ts)
 * so the catalogue can include it without an import cycle; the address and amount bounds are actions.ts's.
 */
import { encodeFunctionData, erc20Abi, getAddress, isAddress, zeroAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { agenticCommerceAbi, creditPoolAbi, identityRegistryAbi, reputationRegistryAbi } from '@hermit/contracts'
import { abiFunctionSchema } from './abi.ts'

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), 'an address (0x + 40 hex digits)')
  .transform((s) => getAddress(s))
/** Positive, whole and below 2^128, as actions.ts's unitsSchema: a larger amount is a mistake. */
const units = z
  .union([z.bigint(), z.string().regex(/^\d{1,78}$/, 'a whole number of base units')])
  .transform((v) => BigInt(v))
  .refine((v) => v > 0n, 'more than zero')
  .refine((v) => v < 2n ** 128n, 'below 2^128 (a larger amount is a mistake)')
const whole = z.union([z.bigint(), z.string().regex(/^\d{1,78}$/)]).transform((v) => BigInt(v))
const int128 = z
  .union([z.bigint(), z.string().regex(/^-?\d{1,39}$/)])
  .transform((v) => BigInt(v))
  .refine((v) => v >= -(2n ** 127n) && v < 2n ** 127n, 'an int128')
/** A generic call's argument once checked against its ABI input: a number, an address or a boolean. */
const argument = z.union([z.bigint(), z.boolean(), address])

export const catalogueActionSchemas = [
  z.strictObject({ kind: z.literal('erc8004.register'), registry: address, agentURI: z.string().min(1).max(2048) }),
  z.strictObject({
    kind: z.literal('erc8004.feedback'),
    registry: address,
    agentId: whole,
    /** ERC-8004's value with its decimals: a score of 4.5 is value 45, decimals 1. */
    value: int128,
    valueDecimals: z.number().int().min(0).max(18),
  }),
  z.strictObject({
    kind: z.literal('escrow.create'),
    escrow: address,
    provider: address,
    evaluator: address,
    expiredAt: whole,
    description: z.string().max(500),
  }),
  z.strictObject({ kind: z.literal('escrow.setBudget'), escrow: address, jobId: whole, amount: units }),
  z.strictObject({ kind: z.literal('escrow.fund'), escrow: address, jobId: whole, amount: units }),
  z.strictObject({
    kind: z.literal('zkpay.deposit'),
    pool: address,
    /** The deposit's public leaf (a Poseidon hash): the identity's secret never appears in an action. */
    leaf: whole,
    tickets: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32 - 1),
    /** The native coin sent: the whole deposit when the pool takes ETH, 0 when it pulls a token. */
    value: whole,
  }),
  z.strictObject({
    kind: z.literal('abi.call'),
    to: address,
    /** The one function of the user's ABI file the words name. */
    fn: abiFunctionSchema,
    args: z.array(argument).max(16),
    value: whole,
  }),
] as const

type CatalogueAction = z.output<(typeof catalogueActionSchemas)[number]>
export type CatalogueKind = CatalogueAction['kind']

export function buildCatalogueCall(a: CatalogueAction): { to: Address; data: Hex; value: bigint } {
  switch (a.kind) {
    case 'erc8004.register':
      return {
        to: a.registry,
        data: encodeFunctionData({ abi: identityRegistryAbi, functionName: 'register', args: [a.agentURI] }),
        value: 0n,
      }
    case 'erc8004.feedback':
      return {
        to: a.registry,
        // no tags, endpoint or feedback file: the score alone, as the words give it
        data: encodeFunctionData({
          abi: reputationRegistryAbi,
          functionName: 'giveFeedback',
          args: [a.agentId, a.value, a.valueDecimals, '', '', '', '', `0x${'00'.repeat(32)}`],
        }),
        value: 0n,
      }
    case 'escrow.create':
      return {
        to: a.escrow,
        // no hook: a hooked job waits for the provider before it can be funded, which one plan cannot do
        data: encodeFunctionData({
          abi: agenticCommerceAbi,
          functionName: 'createJob',
          args: [a.provider, a.evaluator, a.expiredAt, a.description, zeroAddress],
        }),
        value: 0n,
      }
    case 'escrow.setBudget':
      return {
        to: a.escrow,
        data: encodeFunctionData({
          abi: agenticCommerceAbi,
          functionName: 'setBudget',
          args: [a.jobId, a.amount, '0x'],
        }),
        value: 0n,
      }
    case 'escrow.fund':
      return {
        to: a.escrow,
        data: encodeFunctionData({ abi: agenticCommerceAbi, functionName: 'fund', args: [a.jobId, a.amount, '0x'] }),
        value: 0n,
      }
    case 'zkpay.deposit':
      return {
        to: a.pool,
        data: encodeFunctionData({ abi: creditPoolAbi, functionName: 'deposit', args: [a.leaf, BigInt(a.tickets)] }),
        value: a.value,
      }
    case 'abi.call':
      return {
        to: a.to,
        data: encodeFunctionData({ abi: [a.fn], functionName: a.fn.name, args: a.args } as never),
        value: a.value,
      }
  }
}

/** An ERC-20 approval's calldata, for the steps that pull a token (escrow fund, a token pool's deposit). */
export const approveData = (spender: Address, amount: bigint): Hex =>
  encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, amount] })

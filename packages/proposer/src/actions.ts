/**
 * The catalogue: every action the proposer can build, each with zod-typed parameters (resolved
 * addresses, amounts in base units). Calldata is always built here, by Hermit with viem's
 * `encodeFunctionData`; whoever chose the action (the parser or a model) never supplies bytes.
 */
import { encodeFunctionData, erc20Abi, erc721Abi, getAddress, isAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { swapRouterAbi, uniswapV2Router02Abi, weth9Abi } from '@hermit/devnet'
import { ProposerError } from './errors.ts'
import { buildSafeExec, safeExecSchema } from './safe-action.ts'
import { buildCatalogueCall, catalogueActionSchemas } from './catalogue/actions.ts'

/** A checksummed address; anything else (an ENS name, a label, a short hex) is not one. */
export const addressSchema = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), 'an address (0x + 40 hex digits)')
  .transform((s) => getAddress(s))

/**
 * Base units, as a decimal string or a bigint. Negative, fractional or exponent forms are refused,
 * and so is anything of 2^128 or more: no token supply comes near it, so such an amount is a mistake.
 */
export const ABSURD = 2n ** 128n
export const unitsSchema = z
  .union([z.bigint(), z.string().regex(/^\d{1,78}$/, 'a whole number of base units, e.g. "1000000"')])
  .transform((v) => BigInt(v))
  .refine((v) => v > 0n, 'more than zero')
  .refine((v) => v < ABSURD, 'below 2^128 (a larger amount is a mistake)')

const deadlineSchema = z.union([z.bigint(), z.string().regex(/^\d{1,20}$/)]).transform((v) => BigInt(v))
export const V3_FEES = [100, 500, 3000, 10000] as const

export const actionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('native.transfer'), to: addressSchema, amount: unitsSchema }),
  safeExecSchema,
  ...catalogueActionSchemas,
  z.strictObject({ kind: z.literal('erc20.transfer'), token: addressSchema, to: addressSchema, amount: unitsSchema }),
  // exact amounts only: unitsSchema refuses 2^128 and above, so "unlimited" cannot be written here
  z.strictObject({
    kind: z.literal('erc20.approve'),
    token: addressSchema,
    spender: addressSchema,
    amount: unitsSchema,
  }),
  z.strictObject({
    kind: z.literal('erc721.transfer'),
    token: addressSchema,
    to: addressSchema,
    tokenId: z.union([z.bigint(), z.string().regex(/^\d{1,78}$/)]).transform((v) => BigInt(v)),
  }),
  z.strictObject({ kind: z.literal('weth.wrap'), weth: addressSchema, amount: unitsSchema }),
  z.strictObject({ kind: z.literal('weth.unwrap'), weth: addressSchema, amount: unitsSchema }),
  z.strictObject({
    kind: z.literal('swap.v2'),
    router: addressSchema,
    /** tokenIn, tokenOut; WETH stands for the native coin when `nativeIn`/`nativeOut`. */
    path: z.tuple([addressSchema, addressSchema]),
    amountIn: unitsSchema,
    minOut: unitsSchema,
    recipient: addressSchema,
    deadline: deadlineSchema,
    nativeIn: z.boolean(),
    nativeOut: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('swap.v3'),
    router: addressSchema,
    tokenIn: addressSchema,
    tokenOut: addressSchema,
    fee: z.union(
      V3_FEES.map((f) => z.literal(f)) as [
        z.ZodLiteral<100>,
        z.ZodLiteral<500>,
        z.ZodLiteral<3000>,
        z.ZodLiteral<10000>,
      ],
    ),
    amountIn: unitsSchema,
    minOut: unitsSchema,
    recipient: addressSchema,
    deadline: deadlineSchema,
    nativeIn: z.boolean(),
  }),
])
export type Action = z.output<typeof actionSchema>
export type ActionInput = z.input<typeof actionSchema>
export type ActionKind = Action['kind']
export const ACTION_KINDS = actionSchema.options.map((o) => o.shape.kind.value) as ActionKind[]

/** A call as it will be signed: to, data, value. */
export type Call = { to: Address; data: Hex; value: bigint }

/** Checks an action against its schema: a clear error naming the field, never a best guess. */
export function parseAction(input: unknown): Action {
  const parsed = actionSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new ProposerError(
    'PROPOSER_INVALID_ACTION',
    `The action does not fit the catalogue: ${issue?.path.join('.') || 'action'}: ${issue?.message}.`,
    {
      cause: parsed.error,
      hint: `Actions are one of: ${ACTION_KINDS.join(', ')}, with addresses and whole base units.`,
    },
  )
}

/** The calldata of an action, built by Hermit. `from` is the user (an ERC-721 transfer names it). */
export function buildCall(action: Action, from: Address): Call {
  switch (action.kind) {
    case 'safe.exec':
      return buildSafeExec(action)
    case 'erc8004.register':
    case 'erc8004.feedback':
    case 'escrow.create':
    case 'escrow.setBudget':
    case 'escrow.fund':
    case 'zkpay.deposit':
    case 'abi.call':
      return buildCatalogueCall(action)
    case 'native.transfer':
      return { to: action.to, data: '0x', value: action.amount }
    case 'erc20.transfer':
      return {
        to: action.token,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [action.to, action.amount] }),
        value: 0n,
      }
    case 'erc20.approve':
      return {
        to: action.token,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: 'approve',
          args: [action.spender, action.amount],
        }),
        value: 0n,
      }
    case 'erc721.transfer':
      return {
        to: action.token,
        data: encodeFunctionData({
          abi: erc721Abi,
          functionName: 'safeTransferFrom',
          args: [from, action.to, action.tokenId],
        }),
        value: 0n,
      }
    case 'weth.wrap':
      return {
        to: action.weth,
        data: encodeFunctionData({ abi: weth9Abi, functionName: 'deposit' }),
        value: action.amount,
      }
    case 'weth.unwrap':
      return {
        to: action.weth,
        data: encodeFunctionData({ abi: weth9Abi, functionName: 'withdraw', args: [action.amount] }),
        value: 0n,
      }
    case 'swap.v2': {
      const { router, path, amountIn, minOut, recipient, deadline } = action
      const data = action.nativeIn
        ? encodeFunctionData({
            abi: uniswapV2Router02Abi,
            functionName: 'swapExactETHForTokens',
            args: [minOut, path, recipient, deadline],
          })
        : action.nativeOut
          ? encodeFunctionData({
              abi: uniswapV2Router02Abi,
              functionName: 'swapExactTokensForETH',
              args: [amountIn, minOut, path, recipient, deadline],
            })
          : encodeFunctionData({
              abi: uniswapV2Router02Abi,
              functionName: 'swapExactTokensForTokens',
              args: [amountIn, minOut, path, recipient, deadline],
            })
      return { to: router, data, value: action.nativeIn ? amountIn : 0n }
    }
    case 'swap.v3': {
      const data = encodeFunctionData({
        abi: swapRouterAbi,
        functionName: 'exactInputSingle',
        args: [
          {
            tokenIn: action.tokenIn,
            tokenOut: action.tokenOut,
            fee: action.fee,
            recipient: action.recipient,
            deadline: action.deadline,
            amountIn: action.amountIn,
            amountOutMinimum: action.minOut,
            // no price limit: the minimum out is the bound
            sqrtPriceLimitX96: 0n,
          },
        ],
      })
      // SwapRouter pays a native input by wrapping msg.value (PeripheryPayments.pay)
      return { to: action.router, data, value: action.nativeIn ? action.amountIn : 0n }
    }
  }
}

/**
 * Intent → plan: a resolved intent (`@hermit/intent`) becomes one or more catalogue actions, with
 * on-chain quotes, balances and allowances read first. Deterministic: no model is consulted here.
 */
import { erc20Abi, formatUnits, type Address, type Chain, type PublicClient, type Transport } from 'viem'
import type { ResolvedAsset, ResolvedIntent } from '@hermit/intent'
import { quoterV2Abi, uniswapV2Router02Abi } from '@hermit/devnet'
import { buildCall, parseAction, V3_FEES, type Action, type Call } from './actions.ts'
import { ProposerError } from './errors.ts'
import { planCatalogue, type CatalogueOptions } from './catalogue/plan.ts'

type Client = PublicClient<Transport, Chain>

/** The protocols a plan may route through (the devnet's `defiWorld(deployments)` has them all). */
export type Protocols = {
  weth: Address
  uniswapV2: { router02: Address }
  uniswapV3: { swapRouter: Address; quoterV2: Address }
}

/** 0.5 %: the slippage allowed when the words give neither a minimum nor a slippage. */
export const DEFAULT_SLIPPAGE_BPS = 50
/** 20 minutes from the latest block: a swap that waits longer in a mempool reverts instead of landing late. */
export const DEADLINE_SECONDS = 1200n

export type PlanOptions = {
  client: Client
  user: Address
  protocols: Protocols
  /** Which Uniswap: 'best' quotes both and takes the larger output (default). */
  venue?: 'v2' | 'v3' | 'best'
  slippageBps?: number
  /** Contracts and the user's own files for the agent, escrow, pool and generic-call actions. */
  catalogue?: CatalogueOptions
}

export type Step = {
  action: Action
  call: Call
  /** What the call does, in words (the proposal shows it). */
  meaning: string
  /** Who sends it on the fork, when not the user: a Safe transaction awaiting signatures runs as the Safe's own call. */
  simulateFrom?: Address
}

export type Plan = {
  steps: Step[]
  /** How the plan was chosen: e.g. the quote and where the minimum out came from. */
  notes: string[]
}

const label = (a: ResolvedAsset) => a.symbol ?? (a.ref.kind === 'native' ? 'ETH' : a.ref.token)
const fmt = (amount: bigint, a: ResolvedAsset) => `${formatUnits(amount, a.decimals)} ${label(a)}`

function step(action: Action, user: Address, meaning: string): Step {
  // every action passes its schema again here: a plan can only hold what the catalogue allows
  const checked = parseAction(action)
  return { action: checked, call: buildCall(checked, user), meaning }
}

async function balanceOf(client: Client, asset: ResolvedAsset, user: Address): Promise<bigint> {
  if (asset.ref.kind === 'native') return client.getBalance({ address: user })
  if (asset.ref.kind !== 'erc20') return 0n
  return client.readContract({ address: asset.ref.token, abi: erc20Abi, functionName: 'balanceOf', args: [user] })
}

/** 'all' becomes the balance; a fixed amount must be held. */
async function spendable(client: Client, asset: ResolvedAsset, amount: bigint | 'all', user: Address) {
  const balance = await balanceOf(client, asset, user)
  if (amount === 'all') {
    if (asset.ref.kind === 'native')
      throw new ProposerError(
        'PROPOSER_UNSUPPORTED',
        'Spending "all" of the native coin would leave nothing for gas.',
        {
          hint: 'Name the amount of ETH.',
        },
      )
    if (balance === 0n)
      throw new ProposerError('PROPOSER_INSUFFICIENT_BALANCE', `You hold no ${label(asset)}.`, {
        hint: 'Check the token.',
      })
    return balance
  }
  if (balance < amount)
    throw new ProposerError(
      'PROPOSER_INSUFFICIENT_BALANCE',
      `You hold ${fmt(balance, asset)}, less than the ${fmt(amount, asset)} asked for.`,
      { hint: 'Lower the amount, or fund the account first.', details: { balance, amount } },
    )
  return amount
}

type Quote = { venue: 'v2' | 'v3'; fee?: (typeof V3_FEES)[number]; out: bigint }

async function quoteV2(
  client: Client,
  p: Protocols,
  path: [Address, Address],
  amountIn: bigint,
): Promise<Quote | null> {
  try {
    const amounts = await client.readContract({
      address: p.uniswapV2.router02,
      abi: uniswapV2Router02Abi,
      functionName: 'getAmountsOut',
      args: [amountIn, path],
    })
    const out = amounts[amounts.length - 1] ?? 0n
    return out > 0n ? { venue: 'v2', out } : null
  } catch {
    return null // no pair, or no liquidity: another venue may quote
  }
}

async function quoteV3(client: Client, p: Protocols, tokenIn: Address, tokenOut: Address, amountIn: bigint) {
  const quotes: Quote[] = []
  for (const fee of V3_FEES) {
    try {
      const { result } = await client.simulateContract({
        address: p.uniswapV3.quoterV2,
        abi: quoterV2Abi,
        functionName: 'quoteExactInputSingle',
        args: [{ tokenIn, tokenOut, amountIn, fee, sqrtPriceLimitX96: 0n }],
      })
      if (result[0] > 0n) quotes.push({ venue: 'v3', fee, out: result[0] })
    } catch {
      // no pool at this fee tier
    }
  }
  return quotes.sort((a, b) => (b.out > a.out ? 1 : -1))[0] ?? null
}

async function planSwap(r: Extract<ResolvedIntent, { action: 'swap' }>, o: PlanOptions): Promise<Plan> {
  const { client, user, protocols: p } = o
  if (r.sell.amount === null || r.buy.amount !== null)
    throw new ProposerError('PROPOSER_UNSUPPORTED', 'Only swaps of an exact amount sold are built.', {
      hint: 'Say how much you sell ("swap 1000 USDC for ETH, at least 0.3 ETH").',
    })
  const [sell, buy] = [r.sell.asset, r.buy.asset]
  if (
    sell.ref.kind === 'erc721' ||
    sell.ref.kind === 'erc1155' ||
    buy.ref.kind === 'erc721' ||
    buy.ref.kind === 'erc1155'
  )
    throw new ProposerError('PROPOSER_UNSUPPORTED', 'Uniswap swaps fungible tokens only.')
  const nativeIn = sell.ref.kind === 'native'
  const nativeOut = buy.ref.kind === 'native'
  const tokenIn = sell.ref.kind === 'erc20' ? sell.ref.token : p.weth
  const tokenOut = buy.ref.kind === 'erc20' ? buy.ref.token : p.weth
  if (tokenIn === tokenOut)
    throw new ProposerError('PROPOSER_UNSUPPORTED', `Selling ${label(sell)} for ${label(buy)} is a wrap, not a swap.`, {
      hint: 'Say "wrap" or "unwrap".',
    })
  const amountIn = await spendable(client, sell, r.sell.amount, user)
  if (r.maxIn !== null && amountIn > r.maxIn)
    throw new ProposerError('PROPOSER_INVALID_ACTION', `The amount sold is above your most (${fmt(r.maxIn, sell)}).`)

  const venue = o.venue ?? 'best'
  // SwapRouter's exactInputSingle pays native out only through a multicall with unwrapWETH9: V2 handles that
  const v3Allowed = venue !== 'v2' && !nativeOut
  const quotes = [
    venue !== 'v3' ? await quoteV2(client, p, [tokenIn, tokenOut], amountIn) : null,
    v3Allowed ? await quoteV3(client, p, tokenIn, tokenOut, amountIn) : null,
  ].filter((q): q is Quote => q !== null)
  const best = quotes.sort((a, b) => (b.out > a.out ? 1 : -1))[0]
  if (!best)
    throw new ProposerError(
      'PROPOSER_NO_ROUTE',
      `No Uniswap ${venue === 'best' ? 'V2 pair or V3 pool' : venue.toUpperCase()} quotes ${label(sell)} → ${label(buy)}.`,
      {
        hint:
          venue === 'v3' && nativeOut
            ? 'Swaps to the native coin go through V2; drop the venue.'
            : 'Pick tokens with a pool.',
      },
    )

  const slippage = r.slippageBps ?? o.slippageBps ?? DEFAULT_SLIPPAGE_BPS
  const bySlippage = (best.out * BigInt(10_000 - slippage)) / 10_000n
  const minOut = r.minOut !== null && r.minOut > bySlippage ? r.minOut : bySlippage
  const notes = [
    `Quote: ${fmt(amountIn, sell)} → ${fmt(best.out, buy)} on Uniswap ${best.venue.toUpperCase()}${best.fee ? ` (fee ${best.fee / 10_000} %)` : ''}.`,
    r.minOut !== null && r.minOut >= bySlippage
      ? `Minimum out: ${fmt(minOut, buy)}, your bound.`
      : `Minimum out: ${fmt(minOut, buy)}, the quote less ${slippage / 100} % slippage${r.slippageBps === null ? ' (the default)' : ''}.`,
  ]
  if (r.minOut !== null && best.out < r.minOut)
    throw new ProposerError(
      'PROPOSER_MIN_OUT_UNREACHABLE',
      `The best quote, ${fmt(best.out, buy)}, is below your minimum of ${fmt(r.minOut, buy)}.`,
      { hint: 'Lower the minimum or sell more; nothing was sent.', details: { quote: best.out, minOut: r.minOut } },
    )

  const block = await client.getBlock()
  const deadline = block.timestamp + DEADLINE_SECONDS
  const router = best.venue === 'v2' ? p.uniswapV2.router02 : p.uniswapV3.swapRouter
  const steps: Step[] = []
  if (!nativeIn) {
    const allowance = await client.readContract({
      address: tokenIn,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [user, router],
    })
    if (allowance < amountIn)
      steps.push(
        step(
          { kind: 'erc20.approve', token: tokenIn, spender: router, amount: amountIn },
          user,
          `Let Uniswap ${best.venue.toUpperCase()}'s router spend exactly ${fmt(amountIn, sell)}.`,
        ),
      )
  }
  const meaning = `Swap ${fmt(amountIn, sell)} for at least ${fmt(minOut, buy)} on Uniswap ${best.venue.toUpperCase()}, to ${r.recipient.label}.`
  const recipient = r.recipient.address
  steps.push(
    best.venue === 'v2'
      ? step(
          {
            kind: 'swap.v2',
            router,
            path: [tokenIn, tokenOut],
            amountIn,
            minOut,
            recipient,
            deadline,
            nativeIn,
            nativeOut,
          },
          user,
          meaning,
        )
      : step(
          {
            kind: 'swap.v3',
            router,
            tokenIn,
            tokenOut,
            fee: best.fee!,
            amountIn,
            minOut,
            recipient,
            deadline,
            nativeIn,
          },
          user,
          meaning,
        ),
  )
  return { steps, notes }
}

/** The plan for a resolved intent: the catalogue's actions, or a clear error for what it cannot build. */
export async function planIntent(r: ResolvedIntent, o: PlanOptions): Promise<Plan> {
  const { client, user } = o
  switch (r.action) {
    case 'send': {
      const { asset, to } = r
      if (asset.ref.kind === 'erc721') {
        if (asset.ref.tokenId === undefined)
          throw new ProposerError('PROPOSER_UNSUPPORTED', 'Which token id? An ERC-721 send names one.')
        const { token, tokenId } = asset.ref
        return {
          steps: [
            step(
              { kind: 'erc721.transfer', token, to: to.address, tokenId },
              user,
              `Send ${label(asset)} #${tokenId} to ${to.label}.`,
            ),
          ],
          notes: [],
        }
      }
      if (asset.ref.kind === 'erc1155')
        throw new ProposerError('PROPOSER_UNSUPPORTED', 'ERC-1155 sends are not in the catalogue yet.')
      const amount = await spendable(client, asset, r.amount, user)
      const meaning = `Send ${fmt(amount, asset)} to ${to.label} (${to.address}).`
      return {
        steps: [
          asset.ref.kind === 'native'
            ? step({ kind: 'native.transfer', to: to.address, amount }, user, meaning)
            : step({ kind: 'erc20.transfer', token: asset.ref.token, to: to.address, amount }, user, meaning),
        ],
        notes: [],
      }
    }
    case 'wrap':
    case 'unwrap': {
      if (r.wrapped.ref.kind !== 'erc20')
        throw new ProposerError('PROPOSER_UNSUPPORTED', 'No wrapped native token is known on this chain.')
      const weth = r.wrapped.ref.token
      const from = r.action === 'wrap' ? r.native : r.wrapped
      const amount = await spendable(client, from, r.amount, user)
      return {
        steps: [
          r.action === 'wrap'
            ? step({ kind: 'weth.wrap', weth, amount }, user, `Wrap ${fmt(amount, r.native)} into ${label(r.wrapped)}.`)
            : step(
                { kind: 'weth.unwrap', weth, amount },
                user,
                `Unwrap ${fmt(amount, r.wrapped)} into ${label(r.native)}.`,
              ),
        ],
        notes: [],
      }
    }
    case 'approve': {
      if (r.amount === 'unlimited')
        throw new ProposerError(
          'PROPOSER_UNSUPPORTED',
          'The proposer approves exact amounts only, never an unlimited allowance.',
          {
            hint: 'Name the amount the spender may take.',
          },
        )
      if (r.token.ref.kind !== 'erc20')
        throw new ProposerError('PROPOSER_UNSUPPORTED', 'Only ERC-20 approvals are built.')
      if (!r.spender) throw new ProposerError('PROPOSER_UNSUPPORTED', 'Approve whom? The words name no spender.')
      return {
        steps: [
          step(
            { kind: 'erc20.approve', token: r.token.ref.token, spender: r.spender.address, amount: r.amount },
            user,
            `Let ${r.spender.label} (${r.spender.address}) spend exactly ${fmt(r.amount, r.token)}.`,
          ),
        ],
        notes: [],
      }
    }
    case 'swap':
      return planSwap(r, o)
    default: {
      const planned = await planCatalogue(r, o)
      if (planned !== null) return planned
      throw new ProposerError('PROPOSER_UNSUPPORTED', `"${r.action}" is not in the proposer's catalogue yet.`, {
        hint:
          'The catalogue: send (ETH, ERC-20, ERC-721), approve (exact), wrap, unwrap, swap on Uniswap V2/V3, ' +
          'ERC-8004 register and feedback, an escrow job, a ZK credit pool deposit, a call from your ABI.',
        details: { action: r.action },
      })
    }
  }
}

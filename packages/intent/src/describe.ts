import type { Amount, Intent, Price } from './intent.ts'
import { summarizeKind } from './kinds/logic.ts'

const amount = (a: Amount): string => (a === 'all' || a === 'max' ? 'all' : a)
const asset = (a: string): string => (a === 'native' ? 'the native coin' : a)
const price = (p: Price): string => `${p.amount} ${asset(p.asset)}${p.each === true ? ' each' : ''}`
const opt = (prefix: string, v: string | undefined): string => (v === undefined ? '' : ` ${prefix} ${v}`)

/** The intent in plain words, as the report shows it. */
export function intentSummary(intent: Intent): string {
  switch (intent.action) {
    case 'send':
      return intent.tokenId === undefined
        ? `send ${amount(intent.amount)} ${asset(intent.asset)} to ${intent.to}`
        : `send ${intent.amount === '1' ? '' : `${amount(intent.amount)} of `}${intent.asset} #${intent.tokenId} to ${intent.to}`
    case 'swap': {
      const sell =
        intent.sell.amount === undefined
          ? asset(intent.sell.asset)
          : `${amount(intent.sell.amount)} ${asset(intent.sell.asset)}`
      const buy =
        intent.buy.amount === undefined ? asset(intent.buy.asset) : `${intent.buy.amount} ${asset(intent.buy.asset)}`
      const bounds = [
        intent.minOut === undefined ? null : `at least ${intent.minOut} ${asset(intent.buy.asset)}`,
        intent.maxIn === undefined ? null : `at most ${intent.maxIn} ${asset(intent.sell.asset)} in`,
        intent.slippageBps === undefined ? null : `slippage at most ${intent.slippageBps / 100}%`,
      ].filter((b) => b !== null)
      return `swap ${sell} for ${buy}${bounds.length ? ` (${bounds.join(', ')})` : ''}${opt('to', intent.recipient)}`
    }
    case 'wrap':
    case 'unwrap':
      // the wrapped token is the chain's own (WETH) unless the words named another
      return intent.action === 'wrap'
        ? `wrap ${amount(intent.amount)} of the native coin into ${intent.token ?? 'its wrapped token'}`
        : `unwrap ${amount(intent.amount)} ${intent.token ?? 'wrapped native token'} into the native coin`
    case 'approve':
      return `approve ${intent.amount === 'unlimited' ? 'an unlimited amount of' : intent.amount} ${intent.token}${opt('for', intent.spender ?? 'any spender')}`
    case 'revoke':
      return `revoke the ${intent.token} approval${opt('of', intent.spender)}`
    case 'deposit':
    case 'stake':
      return `${intent.action} ${amount(intent.amount)} ${asset(intent.asset)}${opt('into', intent.target)}`
    case 'withdraw':
    case 'unstake':
      return `${intent.action} ${amount(intent.amount)} ${asset(intent.asset)}${opt('from', intent.target)}`
    case 'claim':
      return `claim${intent.asset === undefined ? '' : ` ${asset(intent.asset)}`}${opt('from', intent.from)}${
        intent.free
          ? ' (free: nothing may leave)'
          : intent.fee === undefined
            ? ' (nothing may leave)'
            : ` (fee at most ${price(intent.fee)})`
      }`
    case 'mint':
      return `mint${intent.quantity === undefined ? '' : ` ${intent.quantity}`}${opt('from', intent.collection)}${
        intent.maxPrice === undefined
          ? ' (no price given: nothing may leave)'
          : ` for at most ${price(intent.maxPrice)}`
      }`
    case 'nft.buy':
      return `buy ${intent.collection}${intent.tokenId === undefined ? '' : ` #${intent.tokenId}`} for at most ${price(intent.maxPrice)}${opt(
        'on',
        intent.marketplace,
      )}`
    case 'nft.list':
      return `list ${intent.collection}${intent.tokenId === undefined ? '' : ` #${intent.tokenId}`}${
        intent.minPrice === undefined ? '' : ` for at least ${price(intent.minPrice)}`
      }${opt('on', intent.marketplace)}`
    case 'sign-in':
      return `sign in${opt('to', intent.site)} (nothing may leave)`
    case 'read-only':
      return `read only${intent.what === undefined ? '' : `: ${intent.what}`} (nothing may leave)`
    case 'admin':
      return `admin: ${intent.change} change${opt('of', intent.target)}${opt('from', intent.from)}${opt('to', intent.to ?? intent.threshold)}`
    case 'unknown':
      return `not understood (${intent.reason})`
    default:
      return summarizeKind(intent)
  }
}

const READERS = { parser: 'the parser', model: 'the model', both: 'the parser and the model' } as const

/** The one line a report shows: "your intent as read: send 15 USDC to bob (by the parser)". */
export function describeIntent(intent: Intent, reader?: keyof typeof READERS): string {
  return `your intent as read: ${intentSummary(intent)}${reader === undefined ? '' : ` (by ${READERS[reader]})`}`
}

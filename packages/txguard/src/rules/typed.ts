import type { Finding, Rule } from '../context.ts'
import { nameOf, same, symbolOf } from './helpers.ts'

/** The one Permit2 deployment (same address on every chain): a "Permit2" anywhere else is not Uniswap's. */
export const CANONICAL_PERMIT2 = '0x000000000022D473030F116dDEE9F6B43aC78BA3'
const PERMIT2_TYPES = new Set([
  'PermitSingle',
  'PermitBatch',
  'PermitTransferFrom',
  'PermitBatchTransferFrom',
  'PermitWitnessTransferFrom',
  'PermitBatchWitnessTransferFrom',
])
export const LONG_EXPIRY_SECONDS = 30n * 86_400n

export const typedDataChainMismatch: Rule = {
  id: 'typed-data.chain-mismatch',
  description:
    "The signature's domain names another chain than the one the request is for: it would be replayed there.",
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'typed-data') return []
    const chainId = r.typedData.domain.chainId
    if (chainId === undefined || chainId === BigInt(r.chainId)) return []
    return [
      {
        id: 'typed-data.chain-mismatch',
        severity: 'block',
        message: `The signature is for chain ${chainId}, but the request says chain ${r.chainId}: it would be used on another chain than the one you see.`,
        evidence: { domainChainId: chainId.toString(), requestChainId: r.chainId },
      },
    ]
  },
}

export const fakePermit2: Rule = {
  id: 'typed-data.fake-permit2',
  description: 'A Permit2 message whose verifyingContract is not the canonical Permit2 contract.',
  check: (ctx) => {
    const r = ctx.request
    if (r.kind !== 'typed-data') return []
    const { domain, primaryType } = r.typedData
    if (!PERMIT2_TYPES.has(primaryType) && domain.name !== 'Permit2') return []
    if (same(domain.verifyingContract, CANONICAL_PERMIT2)) return []
    return [
      {
        id: 'typed-data.fake-permit2',
        severity: 'block',
        message: `A Permit2 "${primaryType}" signed for ${domain.verifyingContract ?? 'no contract'}, not the real Permit2 (${CANONICAL_PERMIT2}).`,
        evidence: { verifyingContract: domain.verifyingContract ?? null, primaryType },
      },
    ]
  },
}

/** Fees and royalties are a small part of the price, in the price's currency; anything else is the order paying someone else. */
const FEE_SHARE_BPS = 1_000n

export const orderThirdParty: Rule = {
  id: 'order.third-party',
  description:
    'A Seaport order whose consideration goes to a third party: NFTs, or more than a fee-sized share (10 %) of the payment.',
  check: (ctx) => {
    const order = ctx.typedData?.kind === 'seaport-order' ? ctx.typedData.order : undefined
    if (!order?.toOthers?.length) return []
    const findings: Finding[] = []
    for (const item of order.toOthers) {
      const who = item.recipient ? nameOf(ctx, item.recipient) : 'an unreadable recipient'
      if (item.kind !== 'native' && item.kind !== 'erc20') {
        findings.push({
          id: 'order.third-party',
          severity: 'block',
          message:
            item.kind === 'unknown'
              ? `The order hands an unknown item to ${who}.`
              : `The order hands an NFT of ${item.token ? symbolOf(ctx, item.token) : 'a collection'} to ${who}.`,
          evidence: { recipient: item.recipient, token: item.token, kind: item.kind },
        })
      }
    }
    // payments: per currency, everything paid to others together must stay a fee-sized share of the price
    const currencies = new Map<string, { kind: string; token: string | null }>()
    for (const o of order.toOthers)
      if (o.kind === 'native' || o.kind === 'erc20')
        currencies.set(`${o.kind}:${o.token}`, { kind: o.kind, token: o.token })
    for (const { kind, token } of currencies.values()) {
      const sameCurrency = (i: { kind: string; token: string | null }) =>
        i.kind === kind && (i.token === null ? token === null : same(i.token, token))
      const mine = order.receives.filter(sameCurrency).reduce((s, r) => s + r.amount, 0n)
      const paid = order.toOthers.filter(sameCurrency)
      const others = paid.reduce((s, o) => s + o.amount, 0n)
      const total = mine + others
      if (others * 10_000n <= total * FEE_SHARE_BPS) continue
      const what = kind === 'native' ? 'ETH' : token ? symbolOf(ctx, token as `0x${string}`) : 'a token'
      findings.push({
        id: 'order.third-party',
        severity: 'block',
        message:
          `The order pays ${paid.map((o) => (o.recipient ? nameOf(ctx, o.recipient) : 'an unreadable recipient')).join(', ')} ` +
          `${Number((others * 10_000n) / (total || 1n)) / 100}% of the ${what} price: far more than a fee.`,
        evidence: {
          recipients: paid.map((o) => o.recipient),
          paidToOthers: others.toString(),
          total: total.toString(),
        },
      })
    }
    return findings
  },
}

export const orderAnyTokenId: Rule = {
  id: 'order.any-token-id',
  description: 'A Seaport order that offers "any token id" of a collection (a criteria item with criteria 0).',
  check: (ctx) =>
    (ctx.typedData?.order?.gives ?? [])
      .filter((g) => g.anyId)
      .map(
        (g): Finding => ({
          id: 'order.any-token-id',
          severity: 'block',
          message: `The order gives ANY token of ${g.token ? symbolOf(ctx, g.token) : 'a collection'} you hold, chosen by whoever fills it.`,
          evidence: { token: g.token },
        }),
      ),
}

export const longExpiry: Rule = {
  id: 'sign.long-expiry',
  description: 'A signature (permit, Permit2 allowance, order) that stays usable more than 30 days from now.',
  check: (ctx) => {
    const until = ctx.typedData?.expiresAt
    if (until === undefined || until === 0n || until <= ctx.now + LONG_EXPIRY_SECONDS) return []
    const days = (until - ctx.now) / 86_400n
    return [
      {
        id: 'sign.long-expiry',
        severity: 'warn',
        message: `What you sign stays usable ${days > 36_500n ? 'practically forever' : `for ${days} days`}: nobody can take it back without a transaction.`,
        evidence: { expiresAt: until.toString(), now: ctx.now.toString() },
      },
    ]
  },
}

/** `hermit propose` and Safe transactions: which Safe "my safe" is, and a proposal that awaits other owners. */
import type { Address, LocalAccount } from 'viem'
import type { Deployments } from '@hermit/devnet'
import type { Proposal, ProposeOptions } from '@hermit/proposer'

/** --safe, else the deployments' seeded Safe; the key that proposes signs the SafeTx. */
export function safeOptions(
  safe: Address | undefined,
  deployments: Deployments,
  signer: LocalAccount | undefined,
): Pick<ProposeOptions, 'safe' | 'signer'> {
  const mine = safe ?? deployments.defi?.safe.address
  return { ...(mine ? { safe: mine } : {}), ...(signer ? { signer } : {}) }
}

/**
 * A Safe transaction that needs more owners' signatures is a finished proposal (exit 0): its hash
 * and this owner's signature are the result. Not when blocked, or warned and not confirmed.
 */
export function awaitsOwners(p: Proposal, yes: boolean | undefined): boolean {
  return (p.safe?.missing ?? 0) > 0 && p.verdict !== 'block' && (p.verdict === 'allow' || yes === true)
}

export function safeText(p: Proposal): string {
  const s = p.safe!
  return [
    `Safe ${s.address}: threshold ${s.threshold} of ${s.owners.length}, nonce ${s.nonce}`,
    `safeTxHash ${s.safeTxHash}`,
    ...s.signatures.map((x) => `signature of ${x.owner} (${x.form}): ${x.signature}`),
    `${s.missing} more owner signature${s.missing === 1 ? '' : 's'} needed; nothing sent.`,
  ].join('\n')
}

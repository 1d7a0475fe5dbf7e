/**
 * Safe transaction proposals: "from my safe send 0.1 ETH to bob", "safe 0x…: transfer 10 USDC to bob".
 * The inner call is planned from the rest of the words exactly as any other action, with the Safe as
 * the holder (its balances, its assets leaving). The SafeTx (EIP-712, nonce read from the Safe) is
 * signed as one owner. With a threshold of one the owner's `execTransaction` is the step; with more,
 * the proposal carries the safeTxHash and this owner's signature, and says how many are missing.
 */
import {
  getAddress,
  hashTypedData,
  isAddressEqual,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
} from 'viem'
import { safeAbi, safeCall, safeTxTypedData } from '@hermit/devnet'
import type { IntentReading } from '@hermit/intent'
import { shortMessageOf } from '@hermit/errors'
import { buildCall, parseAction } from './actions.ts'
import { ProposerError } from './errors.ts'
import type { Plan, Step } from './plan.ts'
import { preValidatedSignature } from './safe-action.ts'

type Client = PublicClient<Transport, Chain>

/** Where the words name a Safe: its address, or 'mine' (the configured one), and the words of the inner action. */
export type SafeWords = { safe: Address | 'mine'; words: string }

const ADDR = '(0x[0-9a-fA-F]{40})'
const PATTERNS: RegExp[] = [
  // "from my safe send …", "via safe 0x…, send …"
  new RegExp(`^(?:from|via|with|using)\\s+(?:my\\s+|the\\s+)?safe(?:\\s+${ADDR})?\\s*[:,]?\\s+(.+)$`, 'i'),
  // "safe 0x…: transfer …", "my safe: send …"
  new RegExp(`^(?:my\\s+)?safe(?:\\s+${ADDR})?\\s*[:,]\\s*(.+)$`, 'i'),
]
// "send 0.1 ETH to bob from my safe", "… via safe 0x…"
const TRAILING = new RegExp(`^(.+?)\\s+(?:from|via|with|using)\\s+(?:my\\s+|the\\s+)?safe(?:\\s+${ADDR})?\\s*$`, 'i')

/** The Safe the words act through, or null when they name none (then they are the user's own). */
export function splitSafeWords(words: string): SafeWords | null {
  const w = words.trim()
  for (const re of PATTERNS) {
    const m = re.exec(w)
    if (m) return { safe: m[1] ? getAddress(m[1]) : 'mine', words: m[2]!.trim() }
  }
  const t = TRAILING.exec(w)
  if (t) return { safe: t[2] ? getAddress(t[2]) : 'mine', words: t[1]!.trim() }
  return null
}

export type SafeSignature = {
  owner: Address
  signature: Hex
  /** 'eip712': the owner's key signed the SafeTx; 'pre-validated': valid only when this owner sends execTransaction. */
  form: 'eip712' | 'pre-validated'
}

export type SafeProposal = {
  address: Address
  owners: Address[]
  threshold: number
  nonce: bigint
  /** The EIP-712 hash of the SafeTx: what every owner signs. */
  safeTxHash: Hex
  /** The inner call, as the Safe makes it. */
  inner: { to: Address; value: bigint; data: Hex }
  signatures: SafeSignature[]
  /** Owner signatures still needed: 0 means the step is the owner's execTransaction, sendable now. */
  missing: number
}

export type SafePlanOptions = {
  client: Client
  /** The proposing owner. */
  owner: Address
  /** Its key: signs the SafeTx (EIP-712). Without it the pre-validated form stands in (the owner must send). */
  signer?: LocalAccount
  /** The Safe "my safe" means. */
  mySafe?: Address
}

async function readSafe(client: Client, safe: Address) {
  const read = <F extends 'getOwners' | 'getThreshold' | 'nonce'>(functionName: F) =>
    client.readContract({ address: safe, abi: safeAbi, functionName })
  try {
    const [owners, threshold, nonce] = await Promise.all([read('getOwners'), read('getThreshold'), read('nonce')])
    return { owners: [...owners], threshold: Number(threshold), nonce }
  } catch (cause) {
    throw new ProposerError('PROPOSER_SAFE_UNKNOWN', `${safe} does not answer as a Safe: ${shortMessageOf(cause)}`, {
      cause,
      hint: 'Name the address of a Safe (1.3 or 1.4) on this chain.',
      details: { safe },
    })
  }
}

/**
 * Plans a Safe transaction: `inner` plans the inner words for the Safe as the user (the parser or the
 * model, as for any proposal); the result is one step, with the proposal's Safe facts beside it.
 */
export async function planSafe<R extends { reading: IntentReading; plan: Plan }>(
  target: SafeWords,
  o: SafePlanOptions,
  inner: (words: string, user: Address) => Promise<R>,
): Promise<R & { safe: SafeProposal }> {
  if (target.safe === 'mine' && !o.mySafe)
    throw new ProposerError('PROPOSER_SAFE_UNKNOWN', 'The words say "my safe", and no Safe is configured.', {
      hint: 'Name it ("safe 0x…: send …"), or pass --safe <address>.',
    })
  const address = target.safe === 'mine' ? o.mySafe! : target.safe
  const { owners, threshold, nonce } = await readSafe(o.client, address)
  if (!owners.some((x) => isAddressEqual(x, o.owner)))
    throw new ProposerError('PROPOSER_SAFE_NOT_OWNER', `${o.owner} is not an owner of the Safe ${address}.`, {
      hint: `Its owners: ${owners.join(', ')}. Propose with one of their keys.`,
      details: { safe: address, owners },
    })
  const planned = await inner(target.words, address)
  const [only, ...more] = planned.plan.steps
  if (!only || more.length > 0)
    throw new ProposerError(
      'PROPOSER_UNSUPPORTED',
      `A Safe transaction holds one call; these words plan ${planned.plan.steps.length}.`,
      { hint: 'Propose each call as its own Safe transaction (e.g. the approval first).' },
    )
  if (only.action.kind === 'safe.exec')
    throw new ProposerError('PROPOSER_UNSUPPORTED', 'A Safe transaction inside a Safe transaction is not built.')
  const call = only.call
  const chainId = o.client.chain.id
  const typed = safeTxTypedData(address, chainId, safeCall({ ...call, nonce }))
  const safeTxHash = hashTypedData(typed)
  const signature: SafeSignature = o.signer
    ? { owner: o.signer.address, signature: await o.signer.signTypedData(typed), form: 'eip712' }
    : { owner: o.owner, signature: preValidatedSignature(o.owner), form: 'pre-validated' }
  const missing = Math.max(0, threshold - 1)
  const short = `${address.slice(0, 8)}…`
  const step: Step =
    missing === 0
      ? (() => {
          const action = parseAction({
            kind: 'safe.exec',
            safe: address,
            ...call,
            nonce,
            signatures: signature.signature,
          })
          return {
            action,
            call: buildCall(action, o.owner),
            meaning: `Safe ${short} (nonce ${nonce}, 1 of ${owners.length} signs): ${only.meaning}`,
          }
        })()
      : // simulated as the Safe's own call: what execTransaction will do once the other owners sign
        {
          ...only,
          simulateFrom: address,
          meaning: `Safe ${short} (nonce ${nonce}, needs ${threshold} of ${owners.length}; ${missing} more): ${only.meaning}`,
        }
  const notes = [
    ...planned.plan.notes,
    `The Safe ${address} is the holder; SafeTx ${safeTxHash} (nonce ${nonce}) signed by ${signature.owner}` +
      (signature.form === 'eip712' ? ' (EIP-712).' : ' (pre-validated: valid when this owner sends it).'),
    ...(missing > 0
      ? [`Threshold ${threshold}: ${missing} more owner signature${missing === 1 ? '' : 's'} needed before it can run.`]
      : []),
  ]
  return {
    ...planned,
    plan: { steps: [step], notes },
    safe: { address, owners, threshold, nonce, safeTxHash, inner: call, signatures: [signature], missing },
  }
}

/**
 * Sign and send a checked proposal: never a `block`, a `warn` only with `yes: true`. One queue per
 * account keeps nonces safe under concurrent proposals. Every signed transaction is recorded in a
 * journal (atomically) before it is broadcast, so a crash between signing and sending is resumed by
 * re-broadcasting the same bytes — never by signing again with a new nonce. After each receipt the
 * user's real balance changes are compared with the simulated ones.
 */
import { existsSync, readFileSync } from 'node:fs'
import {
  erc20Abi,
  getAddress,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import { z } from 'zod'
import { writeFileAtomic } from '@hermit/chain'
import { ProposerError } from './errors.ts'
import type { Proposal } from './propose.ts'

type Client = PublicClient<Transport, Chain>

const entrySchema = z.strictObject({
  hash: z.string().regex(/^0x[0-9a-f]{64}$/i),
  raw: z.string().regex(/^0x[0-9a-f]*$/i),
  from: z.string(),
  nonce: z.number().int().nonnegative(),
  chainId: z.number().int().positive(),
  status: z.enum(['signed', 'mined', 'reverted']),
})
export type JournalEntry = z.output<typeof entrySchema>
const journalSchema = z.strictObject({ schema: z.literal('hermit-proposer-journal/v1'), entries: z.array(entrySchema) })

export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return []
  return journalSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).entries
}

function writeJournal(path: string, entries: JournalEntry[]) {
  writeFileAtomic(path, `${JSON.stringify({ schema: 'hermit-proposer-journal/v1', entries }, null, 2)}\n`)
}

function record(path: string, entry: JournalEntry) {
  const entries = readJournal(path).filter((e) => e.hash !== entry.hash)
  writeJournal(path, [...entries, entry])
}

export type EffectDifference = {
  step: number
  asset: string
  simulated: bigint
  real: bigint
  /** Whose balance differs, when not the user's: the Safe a Safe transaction moved assets of. */
  holder?: Address
}

export type SentStep = { hash: Hex; status: 'success' | 'reverted'; gasUsed: bigint; blockNumber: bigint }

export type SendResult = {
  sent: SentStep[]
  /** Real balance changes of the user that differ from the simulated ones (empty when they match). */
  differences: EffectDifference[]
  /** Journal entries signed before a crash and re-broadcast (or found mined) first. */
  resumed: JournalEntry[]
}

export type SendOptions = {
  client: Client
  account: LocalAccount
  /** Where signed transactions are recorded before broadcast. */
  journal: string
  /** Confirms a `warn` proposal. */
  yes?: boolean
  /** Test hook: runs after a signed transaction is recorded, before it is broadcast. */
  afterRecord?: (entry: JournalEntry) => Promise<void> | void
}

const queues = new Map<string, Promise<unknown>>()

/** Runs `fn` after every earlier job of the same account: one nonce sequence at a time. */
function queued<T>(account: Address, fn: () => Promise<T>): Promise<T> {
  const key = account.toLowerCase()
  const before = queues.get(key) ?? Promise.resolve()
  const run = before.then(fn, fn)
  queues.set(
    key,
    run.catch(() => undefined),
  )
  return run
}

async function waitMined(client: Client, hash: Hex): Promise<TransactionReceipt> {
  return client.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 120_000 })
}

/**
 * Finishes what a crash left: every `signed` entry is looked up and, if the chain has not seen it,
 * broadcast again with its recorded bytes (same nonce, same hash). Nothing is signed here.
 */
export async function resumeJournal(client: Client, journal: string): Promise<JournalEntry[]> {
  const pending = readJournal(journal).filter((e) => e.status === 'signed' && e.chainId === client.chain.id)
  for (const e of pending) {
    const known = await client.getTransaction({ hash: e.hash as Hex }).catch(() => null)
    if (!known) await client.sendRawTransaction({ serializedTransaction: e.raw as Hex })
    const receipt = await waitMined(client, e.hash as Hex)
    record(journal, { ...e, status: receipt.status === 'success' ? 'mined' : 'reverted' })
  }
  return pending
}

/** The guard before any signature: a block never, a warn only when confirmed, with its reasons again. */
export function assertSendable(p: Proposal, yes: boolean | undefined): void {
  if (p.safe && p.safe.missing > 0)
    throw new ProposerError(
      'PROPOSER_SAFE_NEEDS_SIGNATURES',
      `The Safe transaction needs ${p.safe.missing} more owner signature${p.safe.missing === 1 ? '' : 's'}: nothing to send yet.`,
      {
        hint: `Share the safeTxHash ${p.safe.safeTxHash} and this signature with the other owners.`,
        details: { safeTxHash: p.safe.safeTxHash, missing: p.safe.missing },
      },
    )
  if (p.verdict === 'block')
    throw new ProposerError(
      'PROPOSER_BLOCKED',
      `Blocked, nothing signed: ${p.reasons
        .filter((r) => r.severity === 'block')
        .map((r) => `step ${r.step}: ${r.message}`)
        .join(' ')}`,
      { hint: 'A blocked proposal can never be sent through Hermit.', details: { reasons: p.reasons } },
    )
  if (p.verdict === 'warn' && yes !== true)
    throw new ProposerError(
      'PROPOSER_NOT_CONFIRMED',
      `Warning, not confirmed: ${p.reasons.map((r) => `step ${r.step}: ${r.message}`).join(' ')}`,
      { hint: 'Read the warnings; send again with --yes (yes: true) only if they are what you meant.' },
    )
}

/** The user's balances of `assets` at a block ('native' or a token address). */
async function balancesAt(client: Client, user: Address, assets: string[], blockNumber: bigint) {
  const out = new Map<string, bigint>()
  for (const a of assets) {
    out.set(
      a,
      a === 'native'
        ? await client.getBalance({ address: user, blockNumber })
        : await client.readContract({
            address: getAddress(a),
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [user],
            blockNumber,
          }),
    )
  }
  return out
}

/** Real vs simulated: every asset the simulation or the receipt's Transfer logs say the user's balance moved in. */
async function compareEffects(
  client: Client,
  p: Proposal,
  index: number,
  receipt: TransactionReceipt,
  user: Address = p.user,
): Promise<EffectDifference[]> {
  // the sender pays the gas; a Safe it drives does not
  const payer = isAddressEqual(user, p.user)
  const simulated = new Map<string, bigint>()
  for (const row of p.steps[index]!.report.changes)
    if (isAddressEqual(row.holder, user) && !row.formatted.includes('NFT'))
      simulated.set(row.asset === 'native' ? 'native' : row.asset.toLowerCase(), row.delta)
  const logs = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs, strict: false })
  const assets = new Set([...simulated.keys(), 'native'])
  for (const l of logs)
    if ((l.args.from && isAddressEqual(l.args.from, user)) || (l.args.to && isAddressEqual(l.args.to, user)))
      if (l.args.value !== undefined) assets.add(l.address.toLowerCase())
  const list = [...assets]
  const [before, after] = await Promise.all([
    balancesAt(client, user, list, receipt.blockNumber - 1n),
    balancesAt(client, user, list, receipt.blockNumber),
  ])
  const gasCost = receipt.gasUsed * receipt.effectiveGasPrice
  const out: EffectDifference[] = []
  for (const a of list) {
    // the simulation counts no gas: it is added back to the real native change
    const real = after.get(a)! - before.get(a)! + (a === 'native' && payer ? gasCost : 0n)
    const sim = simulated.get(a) ?? 0n
    if (real !== sim) out.push({ step: index + 1, asset: a, simulated: sim, real, ...(payer ? {} : { holder: user }) })
  }
  return out
}

/**
 * Signs and sends every step of a checked proposal, in order, each after the previous one's receipt.
 * A reverted step stops the rest.
 */
export function sendProposal(p: Proposal, o: SendOptions): Promise<SendResult> {
  assertSendable(p, o.yes)
  if (!isAddressEqual(o.account.address, p.user))
    throw new ProposerError(
      'PROPOSER_INVALID_ACTION',
      'The signing account is not the account the proposal was checked for.',
      {
        hint: 'Propose with the address of the key that signs.',
      },
    )
  if (p.chainId !== o.client.chain.id)
    throw new ProposerError(
      'PROPOSER_INVALID_ACTION',
      `The proposal is for chain ${p.chainId}, the client is on ${o.client.chain.id}.`,
    )
  return queued(p.user, async () => {
    const resumed = await resumeJournal(o.client, o.journal)
    const sent: SentStep[] = []
    const differences: EffectDifference[] = []
    const fees = await o.client.estimateFeesPerGas()
    for (const [i, step] of p.steps.entries()) {
      const nonce = await o.client.getTransactionCount({ address: p.user, blockTag: 'pending' })
      const raw = await o.account.signTransaction({
        type: 'eip1559',
        chainId: p.chainId,
        nonce,
        to: step.call.to,
        data: step.call.data,
        value: step.call.value,
        gas: step.gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      })
      const entry: JournalEntry = {
        hash: keccak256(raw),
        raw,
        from: p.user,
        nonce,
        chainId: p.chainId,
        status: 'signed',
      }
      // recorded before broadcast: after a crash here, resumeJournal sends these bytes, nothing new is signed
      record(o.journal, entry)
      await o.afterRecord?.(entry)
      await o.client.sendRawTransaction({ serializedTransaction: raw })
      const receipt = await waitMined(o.client, entry.hash as Hex)
      record(o.journal, { ...entry, status: receipt.status === 'success' ? 'mined' : 'reverted' })
      sent.push({
        hash: receipt.transactionHash,
        status: receipt.status,
        gasUsed: receipt.gasUsed,
        blockNumber: receipt.blockNumber,
      })
      if (receipt.status !== 'success') break
      differences.push(...(await compareEffects(o.client, p, i, receipt)))
      if (p.safe) differences.push(...(await compareEffects(o.client, p, i, receipt, p.safe.address)))
    }
    return { sent, differences, resumed }
  })
}

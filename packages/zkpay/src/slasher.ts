import type { Hash } from 'viem'
import type { Reader, Wallet } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import { creditLeaf } from '@hermit/circuits'
import { shortMessageOf } from '@hermit/errors'
import { ZkPayError } from './errors.ts'
import type { PoolInfo } from './pool.ts'
import type { NullifierStore } from './store.ts'
import { removalSiblings, syncTree } from './sync.ts'

export type SlashEvent =
  /** A slash transaction was sent (attempt 1, 2, … for one double-spend: each retry has fresh siblings). */
  | { kind: 'slash-sent'; nullifier: bigint; tx: Hash; attempt: number }
  /** A slash attempt did not land (reverted, or could not be sent); the next one re-syncs the tree. */
  | { kind: 'slash-failed'; nullifier: bigint; attempt: number; error: string }

export type SlasherOptions = {
  publicClient: Reader
  pool: PoolInfo
  store: NullifierStore
  /** Signs slash(); without it a double-spend is only recorded (its slash stays pending). */
  slasher?: Wallet | undefined
  /** Attempts per double-spend, each with freshly synced siblings. */
  attempts: number
  /** How long an attempt waits for its receipt (a dropped or stuck transaction must not stall the retries). */
  receiptTimeoutMs: number
  scanFrom: { fromBlock?: bigint }
  emit: (e: SlashEvent) => void
}

/**
 * The gate's slashes: one run at a time per secret, however many double-spends arrive together,
 * each run retried until it lands or the deposit is gone; the shares and the secret it works from
 * are in the store (sealed) before it starts, so a run cut short is resumed by retryPending().
 */
export function createSlasher(options: SlasherOptions) {
  const { publicClient, pool, scanFrom, emit } = options
  const slashAttempts = options.attempts
  const slashing = new Map<bigint, Promise<Hash | null>>()
  /** One slash run at a time per secret, however many double-spends arrive together. */
  function slash(scope: bigint, nullifier: bigint, sk: bigint): Promise<Hash | null> {
    let run = slashing.get(sk)
    if (!run) {
      run = slashUntilDone(scope, nullifier, sk).finally(() => slashing.delete(sk))
      slashing.set(sk, run)
    }
    return run
  }

  /**
   * Slashes the deposit whose secret a double-spend revealed, retrying with freshly synced siblings
   * when a tree-changing transaction got mined ahead of it (the cheater's own deposit or exit, say),
   * until it lands or the deposit is gone (slashed by someone else, or exited). An exiting deposit
   * is slashed without siblings: its leaf has left the tree already.
   */
  async function slashUntilDone(scope: bigint, nullifier: bigint, sk: bigint): Promise<Hash | null> {
    const slasher = options.slasher
    if (!slasher) return null
    let lastError = 'no attempt'
    for (let attempt = 1; attempt <= slashAttempts; attempt++) {
      try {
        const synced = await syncTree(publicClient, pool.address, scanFrom)
        const i = synced.leaves.findIndex((leaf, k) => creditLeaf(sk, synced.tickets[k]!) === leaf)
        const status =
          i < 0
            ? 0
            : (
                await publicClient.readContract({
                  address: pool.address,
                  abi: creditPoolAbi,
                  functionName: 'deposits',
                  args: [BigInt(i)],
                })
              )[2]
        if (status !== 1 && status !== 2) {
          // not in the pool, already slashed or exited: nothing left to take
          await options.store.markSlashGone(scope, nullifier)
          return null
        }
        const siblings = status === 2 || synced.removed.has(i) ? [] : removalSiblings(synced.tree, i)
        const { request } = await publicClient.simulateContract({
          account: slasher.account,
          address: pool.address,
          abi: creditPoolAbi,
          functionName: 'slash',
          args: [sk, synced.tickets[i]!, BigInt(i), siblings],
        })
        const tx = await slasher.writeContract(request)
        emit({ kind: 'slash-sent', nullifier, tx, attempt })
        const receipt = await publicClient.waitForTransactionReceipt({ hash: tx, timeout: options.receiptTimeoutMs })
        if (receipt.status === 'success') {
          await options.store.markSlashed(scope, nullifier, tx)
          return tx
        }
        lastError = `slash ${tx} reverted`
      } catch (e) {
        lastError = shortMessageOf(e)
      }
      await options.store.countSlashAttempt(scope, nullifier)
      emit({ kind: 'slash-failed', nullifier, attempt, error: lastError })
    }
    throw new ZkPayError('ZKPAY_SLASH_FAILED', `The slash did not land after ${slashAttempts} attempts: ${lastError}`, {
      hint: 'It stays pending in the nullifier store: retryPendingSlashes() tries again.',
    })
  }

  async function retryPendingSlashes(): Promise<Hash[]> {
    const landed: Hash[] = []
    for (const r of await options.store.pendingSlashes()) {
      if (r.scope !== pool.scope) continue
      const tx = await slash(r.scope, r.nullifier, r.secret).catch(() => null)
      if (tx) landed.push(tx)
    }
    return landed
  }
  return { slash, retryPending: retryPendingSlashes }
}

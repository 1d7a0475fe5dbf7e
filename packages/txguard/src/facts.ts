import { BaseError, type Chain, type PublicClient, type Transport } from 'viem'
import { z } from 'zod'
import { formatPath, shortMessageOf } from '@hermit/errors'
import type { ContractActivity } from './activity.ts'
import type { ContractAge } from './age.ts'
import type { ChainHistory } from './history.ts'
import { RequestInvalidError } from './errors.ts'

type Client = PublicClient<Transport, Chain>

export const contractFactsOptionsSchema = z.strictObject({
  /** Contracts remembered per chain; the least recently used is forgotten first. */
  maxContracts: z.number().int().positive().default(1024),
  /** Chains remembered; the least recently used is forgotten first. */
  maxChains: z.number().int().positive().default(8),
  /** How long an activity count, or an age that decides nothing yet, is reused (ms). */
  ttlMs: z.number().int().nonnegative().default(60_000),
  /** Time one contract's age and activity may take before they count as unknown (ms). */
  lookupTimeoutMs: z.number().int().positive().default(3_000),
})
export type ContractFactsOptions = z.input<typeof contractFactsOptionsSchema>

/** What one endpoint can answer: learned once, so a refused method is not asked again on every check. */
export type EndpointCapabilities = {
  /** false once the node said it has no `ots_*` namespace. */
  ots: boolean
  /** How many blocks of state the node kept when last measured (latest − oldest served). */
  stateWindow?: bigint
}

type Stamped<T> = { value: T; at: number }

/** A Map that forgets its least recently used entry beyond `max`. */
class Lru<K, V> {
  readonly #entries = new Map<K, V>()
  constructor(readonly max: number) {}
  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }
  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as K)
  }
  get size(): number {
    return this.#entries.size
  }
}

type ChainEntry = {
  ages: Lru<string, Stamped<ContractAge>>
  activity: Lru<string, Stamped<ContractActivity>>
  /** Per user: the Transfer logs read so far, extended to the new head on the next check. */
  histories: Lru<string, ChainHistory>
}

/**
 * What the chain said about contracts: when each was created (which never changes, so it is kept
 * for good) and how many accounts use it (kept for `ttlMs`). Facts are per chain — a chain is its
 * id and its genesis hash, so two local devnets with the same id never share — while what a
 * node can answer is per client. Bounded: `maxChains` × `maxContracts` entries at most.
 */
export class ContractFacts {
  readonly options: z.output<typeof contractFactsOptionsSchema>
  readonly #chains: Lru<string, ChainEntry>
  readonly #keys = new WeakMap<Client, Promise<string>>()
  readonly #capabilities = new WeakMap<Client, EndpointCapabilities>()
  #unnamed = 0

  constructor(options: ContractFactsOptions = {}) {
    const parsed = contractFactsOptionsSchema.safeParse(options)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new RequestInvalidError(
        'TXGUARD_REQUEST_INVALID',
        `Invalid contract facts option ${formatPath(issue?.path ?? [])}: ${issue?.message}`,
        { hint: 'See ContractFactsOptions in @hermit/txguard.', cause: parsed.error },
      )
    }
    this.options = parsed.data
    this.#chains = new Lru(this.options.maxChains)
  }

  /** The chain a client is on, looked up once per client. */
  chainOf(client: Client): Promise<string> {
    let key = this.#keys.get(client)
    if (!key) {
      key = client
        .getBlock({ blockNumber: 0n })
        .then((genesis) => `${client.chain.id}:${genesis.hash}`)
        // no genesis block to tell chains apart: share nothing with other clients rather than guess
        .catch(() => `${client.chain.id}:unnamed-${++this.#unnamed}`)
      this.#keys.set(client, key)
    }
    return key
  }

  capabilities(client: Client): EndpointCapabilities {
    let caps = this.#capabilities.get(client)
    if (!caps) {
      caps = { ots: true }
      this.#capabilities.set(client, caps)
    }
    return caps
  }

  #entry(chain: string): ChainEntry {
    let entry = this.#chains.get(chain)
    if (!entry) {
      entry = {
        ages: new Lru(this.options.maxContracts),
        activity: new Lru(this.options.maxContracts),
        histories: new Lru(this.options.maxContracts),
      }
      this.#chains.set(chain, entry)
    }
    return entry
  }

  /** A remembered age, with how long ago (ms) it was found. */
  age(chain: string, address: string): { age: ContractAge; ageMs: number } | undefined {
    const hit = this.#entry(chain).ages.get(address.toLowerCase())
    return hit && { age: hit.value, ageMs: Date.now() - hit.at }
  }

  rememberAge(chain: string, address: string, age: ContractAge): void {
    this.#entry(chain).ages.set(address.toLowerCase(), { value: age, at: Date.now() })
  }

  /** A count over the same window, if it is younger than `ttlMs`. */
  activity(chain: string, address: string, windowBlocks: number): ContractActivity | undefined {
    const hit = this.#entry(chain).activity.get(`${address.toLowerCase()}:${windowBlocks}`)
    return hit && Date.now() - hit.at <= this.options.ttlMs ? hit.value : undefined
  }

  rememberActivity(chain: string, address: string, windowBlocks: number, activity: ContractActivity): void {
    this.#entry(chain).activity.set(`${address.toLowerCase()}:${windowBlocks}`, { value: activity, at: Date.now() })
  }

  /** The user's counterparties read from the chain so far, if any. */
  history(chain: string, user: string): ChainHistory | undefined {
    return this.#entry(chain).histories.get(user.toLowerCase())
  }

  rememberHistory(chain: string, user: string, history: ChainHistory): void {
    this.#entry(chain).histories.set(user.toLowerCase(), history)
  }

  /** How many contracts' ages are remembered for a chain (for tests and diagnostics). */
  size(chain: string): number {
    return this.#chains.get(chain)?.ages.size ?? 0
  }
}

/** The process-wide facts `verify` uses when it is given none. */
export const sharedContractFacts = new ContractFacts()

/** What a node said when it refused, in one line: its own words (viem's `details`) when it gave any. */
export function nodeSaid(error: unknown): string {
  const details = error instanceof BaseError ? error.details : undefined
  const line = (details || shortMessageOf(error)).split('\n')[0] ?? ''
  return line.length > 140 ? `${line.slice(0, 139)}…` : line
}

/** A method the node does not have at all (JSON-RPC -32601, or -32004 "not supported"). */
export function isMethodMissing(error: unknown): boolean {
  const codes = [-32601, -32004]
  if (error instanceof BaseError) return !!error.walk((e) => codes.includes((e as { code?: number }).code ?? 0))
  return codes.includes((error as { code?: number } | null)?.code ?? 0)
}

/** Runs `step` unless `deadline` (epoch ms) has passed; a step still running at the deadline is given up. */
export async function beforeDeadline<T>(deadline: number, step: () => Promise<T>): Promise<T> {
  const left = deadline - Date.now()
  if (left <= 0) throw new OutOfTime()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutOfTime()), left)
    timer.unref?.()
  })
  try {
    return await Promise.race([step(), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The look-up ran out of its time budget: what was learned so far stands, the rest is unknown.
 * Control flow inside the look-ups only, caught there: it never reaches a caller, so it is no HermitError.
 */
export class OutOfTime extends Error {
  constructor() {
    super('out of time')
  }
}

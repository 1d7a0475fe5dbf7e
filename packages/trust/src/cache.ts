import type { TrustReport } from './schema.ts'

/**
 * Reports per chain, block hash and address: the same state answers the same, so txguard can ask for
 * every approval it checks without reading the chain again. Bounded; oldest entries go first.
 */
export class TrustCache {
  readonly #entries = new Map<string, Promise<TrustReport>>()
  constructor(readonly maxEntries = 512) {}

  get(key: string): Promise<TrustReport> | undefined {
    return this.#entries.get(key)
  }

  set(key: string, value: Promise<TrustReport>): void {
    this.#entries.set(key, value)
    // a failed read is not remembered: the next ask tries again
    value.catch(() => this.#entries.delete(key))
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
  }

  get size(): number {
    return this.#entries.size
  }
}

export const sharedTrustCache = new TrustCache()

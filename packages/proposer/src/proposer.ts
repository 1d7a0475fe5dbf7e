/**
 * A proposer bound to one chain and user: its proposals share one simulation fork (`ForkPool`),
 * reverted between them, instead of starting anvil for each. `close()` stops the fork.
 */
import { ForkPool } from './fork.ts'
import { propose, type Proposal, type ProposeOptions } from './propose.ts'

export type Proposer = {
  propose(words: string, extra?: Partial<Omit<ProposeOptions, 'forks'>>): Promise<Proposal>
  /** How each proposal got its fork: 'started' once, then 'reverted' (or 'reset' when the head moved). */
  readonly forkUses: readonly string[]
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export function createProposer(options: Omit<ProposeOptions, 'forks'>): Proposer {
  const forks = new ForkPool()
  const close = () => forks.close()
  return {
    propose: (words, extra = {}) => propose(words, { ...options, ...extra, forks }),
    forkUses: forks.uses,
    close,
    [Symbol.asyncDispose]: close,
  }
}

import type { Address, Hash } from 'viem'
import type { Erc8004Client } from '@hermit/erc8004'
// type-only: the gate is made by the caller, so importing @hermit/agents never loads zkpay (snarkjs, mcl, sqlite)
import type { ZkPayGate } from '@hermit/zkpay'
import type { Job } from '../escrow.ts'
import type { Escrow } from '../handle.ts'
import type { JobRequest } from '../job-request.ts'

/** A funded job to do: its on-chain record and the request in its description. */
export type JobContext = { kind: 'job'; job: Job; request: JobRequest; signal: AbortSignal }

/** An anonymous one-shot call paid with a zk-rln ticket: no job, no escrow, no caller identity. */
export type OneShotContext = {
  kind: 'one-shot'
  /** The request body as the input (16 KiB at most). */
  request: JobRequest
  /** The payment's nullifier (one per ticket: it names no one). */
  nullifier: bigint
  signal: AbortSignal
}

export type SkillContext = JobContext | OneShotContext

/** Does the work of a skill: for a job (the deliverable) or for a one-shot call (the answer). */
export type SkillHandler = (ctx: SkillContext) => Promise<string | Uint8Array>

export type Skill = { price: bigint; handler: SkillHandler }

/** The zk-rln payment gate one-shot calls go through: `createZkPayGate(…)` from `@hermit/zkpay`, made by the caller. */
export type OneShotGate = Pick<ZkPayGate, 'handle'>

export type ProviderEvent =
  | { kind: 'registered'; agentId: bigint }
  | { kind: 'quoted'; jobId: bigint; price: bigint; bond: bigint }
  | { kind: 'declined'; jobId: bigint; reason: string }
  | { kind: 'working'; jobId: bigint; skill: string }
  | { kind: 'submitted'; jobId: bigint; deliverable: Hash; bytes: number }
  | { kind: 'failed'; jobId: bigint; reason: string }
  /** The work was done, but the job moved on meanwhile (expired, rejected): nothing is submitted. */
  | { kind: 'abandoned'; jobId: bigint; reason: string }
  | { kind: 'settled'; jobId: bigint; status: Job['status'] }

export type ProviderOptions = {
  /** The escrow with this provider's wallet (it quotes, locks bonds and submits). */
  escrow: Escrow
  /** ERC-8004 with the same wallet (registration, validation requests). */
  erc8004: Erc8004Client
  name: string
  description: string
  skills: Record<string, Skill>
  /** Agent id and deliverables live here; job state is read back from the chain. */
  dataDir: string
  host?: string
  port?: number
  /** The URL clients reach this agent at (default http://host:port). */
  publicUrl?: string
  /**
   * Whom it accepts as evaluator: the evaluator decides whether the bond is lost. Default: anyone
   * but the client itself.
   */
  acceptEvaluator?: (evaluator: Address, job: Job) => boolean
  /** Longest a handler may run (default 60 s); a job it cannot finish is never submitted. */
  handlerTimeoutMs?: number
  /** Working time it asks for once funded (default 300 s): a job funded later than that before its expiry is refused by the hook. */
  minWorkSeconds?: bigint
  /** At most this many quoted, unfunded jobs at a time (default 16): quoting costs gas, and anyone can create jobs. */
  maxOpenQuotes?: number
  pollMs?: number
  /** Optional anonymous one-shot calls: POST /call/<skill> behind this zk-rln gate, no escrow. */
  oneShot?: { gate: OneShotGate; pool: Address }
  onEvent?: (event: ProviderEvent) => void
}

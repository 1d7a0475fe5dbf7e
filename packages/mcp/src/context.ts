import type { Address, Chain, LocalAccount, PublicClient, Transport, WalletClient } from 'viem'
import type { Escrow } from '@hermit/agents'
import type { Erc8004Client } from '@hermit/erc8004'
import type { LlmProvider } from '@hermit/llm'
import type { Proposal, Protocols } from '@hermit/proposer'
import type { PolicyInput, Report } from '@hermit/txguard'
import type { TicketStore, ZkIdentity, ZkPayClient } from '@hermit/zkpay'

/** The user's ZK identity and one deposit's tickets, for `paid_fetch`. */
export type PaymentSource = { identity: ZkIdentity; tickets: TicketStore; fromBlock?: bigint }

/**
 * Everything the tools work with, built at the edge (the CLI) from flags, files and the environment.
 * The private key is inside `wallet` and nowhere else: no tool reads or returns it.
 */
export type HermitMcpOptions = {
  /** The chain the user's wallet is on (read; written only by tools that say they sign). */
  client: PublicClient<Transport, Chain>
  rpcUrl: string
  /** A local fork or devnet transactions are simulated on; nothing is sent there. Default: `client`. */
  simulation?: PublicClient<Transport, Chain>
  /** Brings `simulation` to the chain's head before a check (e.g. a fork reset). */
  beforeCheck?: () => Promise<void>
  /** The signing wallet (from HERMIT_PRIVATE_KEY or a keystore), if any: without it nothing is sent. */
  wallet?: WalletClient<Transport, Chain, LocalAccount>
  provider?: LlmProvider
  policy?: PolicyInput
  tokens?: Record<string, Address>
  addressBook?: Record<string, Address>
  /** The deployments file's contents, served as a resource. */
  deployments?: unknown
  /** Uniswap and WETH addresses for `propose_transaction`'s swaps. */
  protocols?: Protocols
  /** Where signed proposals are journaled before broadcast. */
  journal?: string
  /** The escrow and registries for the agents tools (read-only handles: the wallet is added when a tool signs). */
  agents?: { escrow: Escrow; erc8004: Erc8004Client }
  /** Opened on the first `paid_fetch` (a keystore is decrypted only when a paid call needs it). */
  payment?: () => PaymentSource
  /** How many verification reports the `recent reports` resource keeps (default 20). */
  reportsKept?: number
}

/** One server process's memory: proposals waiting for their confirmation, recent reports. */
export type McpState = {
  proposals: Map<string, { proposal: Proposal; at: number }>
  reports: Array<{ at: string; tool: string; report: Report }>
  /** The zk-rln client, made on the first paid call and shared by every session. */
  pay?: { client: ZkPayClient; warnings: string[] }
}

export const newState = (): McpState => ({ proposals: new Map(), reports: [] })

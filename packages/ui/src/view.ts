/**
 * What the page receives: plain JSON (amounts already formatted, bigints as decimal strings), so the
 * page never needs viem and never sees anything the server did not choose to show. The page imports
 * these types only.
 */
export type Verdict = 'allow' | 'warn' | 'block'

export type FindingView = { id: string; severity: 'info' | 'warn' | 'block'; message: string; step?: number }

export type ChangeView = { holder: string; holderName: string; symbol: string; formatted: string }

export type ModelView =
  | { consulted: false; reason: string }
  | { consulted: true; model: string; summary: string; concerns: string[]; verdict: Verdict; raised: boolean }

export type ReportView = {
  verdict: Verdict
  summary: string[]
  reasons: FindingView[]
  changes: ChangeView[]
  decoded: string | null
  simulated: { success: boolean; revertReason?: string } | null
  model: ModelView
  request: { kind: string; chainId: number; from: string; to: string | null }
  intent: { asRead: string; reader: string } | null
}

export type TxView = { from: string; to: string; data: string; value: string; gas: string }

export type ProposalView = {
  id: string
  words: string
  chainId: number
  user: string
  reader: string
  asRead: string
  /** Whether a model read the words or chose the actions, and what that means. */
  model: { consulted: boolean; note: string }
  notes: string[]
  verdict: Verdict
  reasons: FindingView[]
  steps: Array<{ meaning: string; to: string; value: string; gas: string; report: ReportView }>
  /** The transactions as an EIP-1193 wallet takes them (hex quantities): for the browser's injected wallet. */
  txs: TxView[]
}

export type EffectRow = { step: number; asset: string; symbol: string; simulated: string; real: string; same: boolean }

export type SentView = {
  sent: Array<{ hash: string; status: 'success' | 'reverted'; gasUsed: string; blockNumber: string }>
  effects: EffectRow[]
}

export type GuardStatus = 'passed' | 'held' | 'allowed' | 'refused' | 'timed out'

export type GuardEntryView = {
  id: string
  at: number
  origin: string | null
  method: string
  verdict: Verdict
  status: GuardStatus
  /** When a held request is refused if nobody answers (ms since the epoch). */
  deadline?: number
  report: ReportView
}

export type PaidView = {
  pool: string
  chainId: number
  tickets: { total: number; used: number; left: number }
  proofsReady: number
  /** Live deposits in the pool: how many people a call could have come from. */
  anonymitySet: number
  /** The newest paid calls, by nullifier only (nothing that names the caller). */
  lastCalls: Array<{ nullifier: string; at: number; status: number }>
  canBuy: boolean
}

export type PaidBought = { leafIndex: number; tickets: number }

export type StateView = {
  chainId: number | null
  propose: boolean
  /** The local account's address when the server can sign (the key itself never leaves the server). */
  signer: string | null
  guard: boolean
  paid: boolean
}

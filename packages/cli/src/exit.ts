import { CommanderError } from 'commander'
import { isHermitError } from '@hermit/errors'
import type { AgentsErrorCode } from '@hermit/agents'
import type { ChainErrorCode } from '@hermit/chain'
import type { CircuitErrorCode } from '@hermit/circuits'
import type { DevnetErrorCode } from '@hermit/devnet'
import type { Erc8004ErrorCode } from '@hermit/erc8004'
import type { GatewayErrorCode } from '@hermit/gateway'
import type { IntentErrorCode } from '@hermit/intent'
import type { LlamaCppErrorCode } from '@hermit/llamacpp'
import type { LlmErrorCode } from '@hermit/llm'
import type { McpErrorCode } from '@hermit/mcp'
import type { ProposerErrorCode } from '@hermit/proposer'
import type { TxGuardErrorCode } from '@hermit/txguard'
import type { TrustErrorCode } from '@hermit/trust'
import type { UiErrorCode } from '@hermit/ui'
import type { ZkPayErrorCode } from '@hermit/zkpay'
import type { CliErrorCode } from './errors.ts'

/**
 * Exit statuses of `hermit`. 0–2 are verdicts where a command gives one (`verify`: allow, warn,
 * block); the rest follow sysexits.h so scripts can tell bad input from a missing tool.
 */
export const ExitCode = {
  ok: 0,
  warn: 1,
  block: 2,
  usage: 64,
  dataError: 65,
  unavailable: 69,
  internal: 70,
  ioError: 74,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Every code a Hermit package can throw; the map below is checked against it, so a typo fails to compile. */
export type HermitErrorCode =
  | AgentsErrorCode
  | ChainErrorCode
  | CircuitErrorCode
  | CliErrorCode
  | DevnetErrorCode
  | Erc8004ErrorCode
  | GatewayErrorCode
  | IntentErrorCode
  | LlamaCppErrorCode
  | LlmErrorCode
  | McpErrorCode
  | ProposerErrorCode
  | TxGuardErrorCode
  | TrustErrorCode
  | UiErrorCode
  | ZkPayErrorCode

// codes not named here exit 70 (internal): a bug or a case the CLI does not expect
const byCode = {
  CLI_BAD_ARGUMENT: ExitCode.usage,
  DEVNET_BAD_OPTIONS: ExitCode.usage,
  DEVNET_DEPLOYMENTS_INVALID: ExitCode.dataError,
  DEVNET_DEPLOYMENTS_NOT_JSON: ExitCode.dataError,
  DEVNET_DEPLOYMENTS_UNREADABLE: ExitCode.ioError,
  DEVNET_ANVIL_NOT_FOUND: ExitCode.unavailable,
  DEVNET_PORT_IN_USE: ExitCode.unavailable,
  DEVNET_FORK_FAILED: ExitCode.unavailable,
  // anvil died under `hermit devnet` (killed, out of memory): the chain it served is gone
  DEVNET_ANVIL_EXITED: ExitCode.unavailable,
  // the defi world: its npm artifacts not installed, or a forked chain without the CREATE2 proxy
  DEVNET_ARTIFACT_MISSING: ExitCode.unavailable,
  DEVNET_NO_CREATE2_PROXY: ExitCode.unavailable,
  CLI_RPC_UNREACHABLE: ExitCode.unavailable,
  TXGUARD_REQUEST_INVALID: ExitCode.dataError,
  TXGUARD_CHAIN_MISMATCH: ExitCode.dataError,
  TXGUARD_RECORD_INVALID: ExitCode.dataError,
  CLI_POLICY_INVALID: ExitCode.dataError,
  CLI_INPUT_NOT_JSON: ExitCode.dataError,
  CLI_INPUT_UNREADABLE: ExitCode.ioError,
  TXGUARD_SIMULATION_FAILED: ExitCode.unavailable,
  LLM_BAD_SPEC: ExitCode.usage,
  INTENT_AMBIGUOUS: ExitCode.dataError,
  INTENT_UNKNOWN_NAME: ExitCode.dataError,
  INTENT_UNKNOWN_TOKEN: ExitCode.dataError,
  INTENT_ENS_UNAVAILABLE: ExitCode.dataError,
  INTENT_ENS_NOT_FOUND: ExitCode.dataError,
  INTENT_AMOUNT_INVALID: ExitCode.dataError,
  INTENT_TOKEN_UNREADABLE: ExitCode.dataError,
  INTENT_INVALID: ExitCode.dataError,
  INTENT_MODEL_FAILED: ExitCode.unavailable,
  INTENT_MODEL_INVALID_OUTPUT: ExitCode.unavailable,
  LLAMACPP_BAD_SPEC: ExitCode.usage,
  LLAMACPP_MODEL_NOT_FOUND: ExitCode.usage,
  LLAMACPP_NOT_GGUF: ExitCode.dataError,
  LLAMACPP_MODEL_TOO_LARGE: ExitCode.unavailable,
  CLI_MISSING_SECRET: ExitCode.usage,
  ZKPAY_KEYSTORE_EXISTS: ExitCode.dataError,
  ZKPAY_KEYSTORE_WEAK_PASSWORD: ExitCode.usage,
  ZKPAY_TICKETS_EXIST: ExitCode.dataError,
  ZKPAY_KEYSTORE_WRONG_PASSWORD: ExitCode.dataError,
  ZKPAY_KEYSTORE_UNREADABLE: ExitCode.ioError,
  ZKPAY_KEYSTORE_INVALID: ExitCode.dataError,
  ZKPAY_TICKETS_EXHAUSTED: ExitCode.unavailable,
  // a tickets file: missing or unreadable is I/O; another identity's, or corrupt, is bad input; held by another client
  ZKPAY_TICKETS_UNREADABLE: ExitCode.ioError,
  ZKPAY_TICKETS_INVALID: ExitCode.dataError,
  ZKPAY_TICKETS_WRONG_IDENTITY: ExitCode.dataError,
  ZKPAY_TICKETS_LOCKED: ExitCode.unavailable,
  // a paid endpoint that cannot be reached, or a port another process holds
  CLI_UNREACHABLE: ExitCode.unavailable,
  CLI_PORT_IN_USE: ExitCode.unavailable,
  // the signing account cannot pay for gas (and what it sends): funds are something needed, missing
  CLI_NO_FUNDS: ExitCode.unavailable,
  ZKPAY_ANONYMITY_TOO_SMALL: ExitCode.unavailable,
  CLI_WRONG_CHAIN: ExitCode.dataError,
  CLI_NOT_A_POOL: ExitCode.dataError,
  CLI_NOT_A_TOKEN: ExitCode.dataError,
  // `pay proxy --gateway` (or a paid URL) that answers, but does not ask for payment: the URL is wrong
  ZKPAY_NOT_PAID_ENDPOINT: ExitCode.dataError,
  AGENTS_JOB_UNKNOWN: ExitCode.dataError,
  AGENTS_JOB_NOT_EXPIRED: ExitCode.unavailable,
  AGENTS_JOB_NOTHING_TO_REFUND: ExitCode.dataError,
  CHAIN_REVERTED: ExitCode.dataError,
  CHAIN_NO_WALLET: ExitCode.usage,
  CHAIN_TX_FAILED: ExitCode.unavailable,
  CHAIN_DEPLOY_FAILED: ExitCode.unavailable,
  // the signing-key keystore (hermit keys, propose --keystore), as zkpay's
  CHAIN_KEYSTORE_EXISTS: ExitCode.dataError,
  CHAIN_KEYSTORE_WEAK_PASSWORD: ExitCode.usage,
  CHAIN_KEYSTORE_WRONG_PASSWORD: ExitCode.dataError,
  CHAIN_KEYSTORE_UNREADABLE: ExitCode.ioError,
  CHAIN_KEYSTORE_INVALID: ExitCode.dataError,
  ZKPAY_PROOF_FAILED: ExitCode.dataError,
  // a payment of another scheme (x402 exact, …) sent to a zk-rln gate: the input is wrong
  ZKPAY_UNSUPPORTED_SCHEME: ExitCode.dataError,
  TXGUARD_NO_SIMULATION_CHAIN: ExitCode.usage,
  // hermit trust: not an address is bad input; a node that cannot answer the reads is unavailable
  TRUST_BAD_ADDRESS: ExitCode.dataError,
  TRUST_READ_FAILED: ExitCode.unavailable,
  // hermit propose: words it cannot build are bad input; block = 2, unconfirmed warn = 1 (set by the command)
  PROPOSER_UNSUPPORTED: ExitCode.dataError,
  PROPOSER_INVALID_ACTION: ExitCode.dataError,
  PROPOSER_NO_ROUTE: ExitCode.dataError,
  PROPOSER_MIN_OUT_UNREACHABLE: ExitCode.dataError,
  PROPOSER_INSUFFICIENT_BALANCE: ExitCode.dataError,
  PROPOSER_SIMULATION_FAILED: ExitCode.dataError,
  PROPOSER_SAFE_UNKNOWN: ExitCode.dataError,
  PROPOSER_SAFE_NOT_OWNER: ExitCode.dataError,
  PROPOSER_SAFE_NEEDS_SIGNATURES: ExitCode.dataError,
  PROPOSER_ABI_INVALID: ExitCode.dataError,
  PROPOSER_UNKNOWN_FUNCTION: ExitCode.dataError,
  PROPOSER_BAD_ARGUMENTS: ExitCode.dataError,
  // a model's unusable plan, as INTENT_MODEL_INVALID_OUTPUT: the model, not the input, failed
  PROPOSER_MODEL_INVALID: ExitCode.unavailable,
  // hermit ui / guard --ui: the page cannot be built (a broken install), Chromium missing (tests)
  UI_BUNDLE_FAILED: ExitCode.unavailable,
  UI_CHROMIUM_MISSING: ExitCode.unavailable,
  // hermit gateway / pay proxy: bad flags are usage; an unreachable model server is unavailable
  GATEWAY_BAD_OPTIONS: ExitCode.usage,
  GATEWAY_UPSTREAM_UNREACHABLE: ExitCode.unavailable,
  // hermit mcp-guard: a config file that does not parse (the MCP_ codes of tools are isError results, not exits)
  MCP_GUARD_CONFIG_INVALID: ExitCode.dataError,
} as const satisfies Partial<Record<HermitErrorCode, ExitCode>>

const exitOf: Partial<Record<string, ExitCode>> = byCode

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
  if (isHermitError(error)) return exitOf[error.code] ?? ExitCode.internal
  return ExitCode.internal
}

import { HermitError } from '@hermit/errors'

export const ERC8004_ERROR_CODES = [
  'ERC8004_BAD_ARGS',
  'ERC8004_FILE_INVALID',
  'ERC8004_NOT_DEPLOYED',
  'ERC8004_NO_EVENT',
  'ERC8004_NO_VALIDATION',
  'ERC8004_REGISTRY_MISMATCH',
  'ERC8004_URI_BAD_OPTIONS',
  'ERC8004_URI_FETCH_FAILED',
  'ERC8004_URI_INVALID',
  'ERC8004_URI_NOT_JSON',
  'ERC8004_URI_SCHEME',
  'ERC8004_URI_TOO_LARGE',
  'ERC8004_VALIDATION_TIMEOUT',
  'ERC8004_VALIDATION_WAIT_ABORTED',
] as const
export type Erc8004ErrorCode = (typeof ERC8004_ERROR_CODES)[number]

/** Registry reverts are @hermit/chain's ContractRevertError (CHAIN_REVERTED), with the registry's reason. */
export class Erc8004Error extends HermitError<Erc8004ErrorCode> {}

/** An agentURI / feedbackURI that cannot be fetched or is too large. */
export class AgentUriError extends Erc8004Error {}

/** A registration or feedback file that does not follow the ERC-8004 schema; names the field. */
export class Erc8004FileError extends Erc8004Error {}

export class ValidationTimeoutError extends Erc8004Error {}

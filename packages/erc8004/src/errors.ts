import { HermitError } from '@hermit/errors'

export class Erc8004Error extends HermitError {
  override name = 'Erc8004Error'
}

/** An agentURI / feedbackURI that cannot be fetched or is too large. */
export class AgentUriError extends Erc8004Error {
  override name = 'AgentUriError'
}

/** A registration or feedback file that does not follow the ERC-8004 schema; names the field. */
export class Erc8004FileError extends Erc8004Error {
  override name = 'Erc8004FileError'
}

/** A registry call that reverted, with the registry's reason. */
export class RegistryRevertError extends Erc8004Error {
  override name = 'RegistryRevertError'
}

export class ValidationTimeoutError extends Erc8004Error {
  override name = 'ValidationTimeoutError'
}

import { HermitError, type HermitErrorOptions } from '@hermit/errors'

export const DEVNET_ERROR_CODES = [
  'DEVNET_ANVIL_EXITED',
  'DEVNET_ANVIL_NOT_FOUND',
  'DEVNET_ANVIL_SPAWN_FAILED',
  'DEVNET_ANVIL_START_TIMEOUT',
  'DEVNET_ARTIFACT_MISSING',
  'DEVNET_BAD_OPTIONS',
  'DEVNET_DEPLOYMENTS_INVALID',
  'DEVNET_DEPLOYMENTS_NOT_JSON',
  'DEVNET_DEPLOYMENTS_UNREADABLE',
  'DEVNET_DEPLOY_FAILED',
  'DEVNET_FORK_FAILED',
  'DEVNET_INIT_CODE_MISMATCH',
  'DEVNET_NO_CREATE2_PROXY',
  'DEVNET_PORT_IN_USE',
  'DEVNET_SEED_FAILED',
] as const
export type DevnetErrorCode = (typeof DEVNET_ERROR_CODES)[number]

export class DevnetError extends HermitError<DevnetErrorCode> {}

export class AnvilNotFoundError extends DevnetError {
  constructor(tried: string, options: HermitErrorOptions = {}) {
    super('DEVNET_ANVIL_NOT_FOUND', `No anvil binary at ${tried}.`, {
      hint: 'Install it from npm: `npx -y pnpm@10.34.9 add -D @foundry-rs/anvil` (the binary ships in @foundry-rs/anvil-<os>-<arch>), or pass `anvilPath`.',
      details: { tried },
      ...options,
    })
  }
}

export class PortInUseError extends DevnetError {
  constructor(host: string, port: number, options: HermitErrorOptions = {}) {
    super('DEVNET_PORT_IN_USE', `Port ${port} on ${host} is already in use.`, {
      hint: 'Stop whatever listens there, pick another `port`, or leave `port` unset (0) for a free one.',
      details: { host, port },
      ...options,
    })
  }
}

export class ForkError extends DevnetError {
  constructor(url: string, reason: string, options: HermitErrorOptions = {}) {
    super('DEVNET_FORK_FAILED', `Cannot fork ${redactUrl(url)}: ${reason}`, {
      hint: 'Check that the fork URL is a reachable JSON-RPC endpoint and that the block number exists on it.',
      details: { url: redactUrl(url) },
      ...options,
    })
  }
}

export class AnvilStartError extends DevnetError {}

export class DeploymentsFileError extends DevnetError {}

export class DeployError extends DevnetError {}

/** RPC URLs often carry an API key in the path or query: keep only scheme, host and port. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    const hasSecret = u.pathname.length > 1 || u.search !== '' || u.username !== '' || u.password !== ''
    return `${u.protocol}//${u.host}${hasSecret ? '/…' : ''}`
  } catch {
    return '<invalid url>'
  }
}

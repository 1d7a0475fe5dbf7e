import { getAddress, type Address } from 'viem'
import type { Reader, Wallet } from '@hermit/chain'
import { Erc8004Error } from './errors.ts'
import type { UriOptions } from './uri.ts'

export type Registries = { identity: Address; reputation: Address; validation?: Address }

/** One chain, one set of registries; a wallet only for writes. */
export type Erc8004Client = {
  publicClient: Reader
  walletClient?: Wallet
  registries: Registries
  /** How agentURI / feedbackURI are fetched (gateway, size limit, timeout). */
  uri?: UriOptions
}

/** The official ERC-8004 v2 deployments (identity + reputation share one address on each network family). */
const MAINNET: Registries = {
  identity: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
  reputation: '0x8004BAa17C55a88189AE136b182e5fdA19dE9b63',
}
const TESTNET: Registries = {
  identity: '0x8004A818BFB912233c491871b3d84c89A494BD9e',
  reputation: '0x8004B663056A597Dffe9eCcC1965A193B7388713',
}
export const KNOWN_REGISTRIES: Readonly<Record<number, Registries>> = {
  1: MAINNET, // Ethereum
  8453: MAINNET, // Base
  11155111: TESTNET, // Sepolia
  84532: TESTNET, // Base Sepolia
}

/** Registries from a Hermit deployments file (`pnpm devnet`) or the devnet's `deployments`. */
export function registriesFromDeployments(d: { contracts: Record<string, { address: Address }> }): Registries {
  const get = (name: string) => {
    const c = d.contracts[name]
    if (!c)
      throw new Erc8004Error('ERC8004_NOT_DEPLOYED', `${name} is not in the deployments.`, {
        hint: 'Start the devnet with `pnpm devnet` (it deploys the ERC-8004 registries).',
      })
    return getAddress(c.address)
  }
  return {
    identity: get('IdentityRegistry'),
    reputation: get('ReputationRegistry'),
    validation: get('ValidationRegistry'),
  }
}

export function requireValidation(c: Erc8004Client): Address {
  if (!c.registries.validation)
    throw new Erc8004Error('ERC8004_NO_VALIDATION', 'No validation registry is configured.', {
      hint: 'Set registries.validation.',
    })
  return c.registries.validation
}

import { isAddressEqual, type Address } from 'viem'
import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'
import { readContract } from '@hermit/chain'
import type { Erc8004Client } from './client.ts'
import { Erc8004Error } from './errors.ts'

/** getVersion() of each configured registry ("2.0.0" for the ERC-8004 v2 registries). */
export async function registryVersions(
  c: Erc8004Client,
): Promise<{ identity: string; reputation: string; validation?: string }> {
  const v = (
    address: Address,
    abi: typeof identityRegistryAbi | typeof reputationRegistryAbi | typeof validationRegistryAbi,
  ) => readContract(c.publicClient, { address, abi, functionName: 'getVersion' })
  const [identity, reputation, validation] = await Promise.all([
    v(c.registries.identity, identityRegistryAbi),
    v(c.registries.reputation, reputationRegistryAbi),
    c.registries.validation ? v(c.registries.validation, validationRegistryAbi) : Promise.resolve(undefined),
  ])
  return { identity, reputation, ...(validation === undefined ? {} : { validation }) }
}

/**
 * Checks that the reputation and validation registries point at the configured identity registry
 * (getIdentityRegistry), so feedback and validations refer to the same agents.
 */
export async function checkRegistries(c: Erc8004Client): Promise<void> {
  const linked = await Promise.all([
    readContract(c.publicClient, {
      address: c.registries.reputation,
      abi: reputationRegistryAbi,
      functionName: 'getIdentityRegistry',
    }),
    c.registries.validation
      ? readContract(c.publicClient, {
          address: c.registries.validation!,
          abi: validationRegistryAbi,
          functionName: 'getIdentityRegistry',
        })
      : Promise.resolve(c.registries.identity),
  ])
  for (const [i, a] of linked.entries()) {
    if (!isAddressEqual(a, c.registries.identity)) {
      throw new Erc8004Error(
        'ERC8004_REGISTRY_MISMATCH',
        `The ${i === 0 ? 'reputation' : 'validation'} registry points at identity registry ${a}, not ${c.registries.identity}.`,
        { hint: 'Use the registries of one deployment together.' },
      )
    }
  }
}

import {
  agentRegistryOf,
  getAgent,
  updateRegistration,
  type Erc8004Client,
  type RegistrationFileInput,
} from '@hermit/erc8004'
import { ensureRegistered } from '../identity.ts'
import { escrowId, JOB_SERVICE } from '../job-request.ts'
import type { ProviderOptions } from './types.ts'

type Listing = Pick<ProviderOptions, 'escrow' | 'name' | 'description' | 'skills' | 'oneShot'>

/** The provider's ERC-8004 registration file: a `hermit-job` service with its skills and prices on this escrow. */
export function providerRegistration(listing: Listing, url: string): RegistrationFileInput {
  const chainId = listing.escrow.publicClient.chain.id
  return {
    type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
    name: listing.name,
    description: listing.description,
    active: true,
    services: [
      {
        name: JOB_SERVICE,
        endpoint: url,
        skills: Object.keys(listing.skills),
        escrow: escrowId(chainId, listing.escrow.address),
        prices: Object.fromEntries(Object.entries(listing.skills).map(([k, s]) => [k, s.price.toString()])),
        ...(listing.oneShot ? { oneShot: { endpoint: `${url}/call`, pool: listing.oneShot.pool } } : {}),
      },
    ],
    supportedTrust: ['reputation', 'validation'],
  }
}

/**
 * Registers the provider once per data folder; a provider that comes back (maybe listening
 * elsewhere) keeps its agent id and its registration file follows its current URL and listing.
 */
export async function registerProvider(
  listing: Listing & { erc8004: Erc8004Client; dataDir: string },
  url: string,
): Promise<{ agentId: bigint; registered: boolean }> {
  const fresh = providerRegistration(listing, url)
  const { agentId, registered } = await ensureRegistered(listing.erc8004, listing.dataDir, fresh)
  if (registered) return { agentId, registered }
  const current = await getAgent(listing.erc8004, agentId)
  const listed = current.registration?.services.find((s) => s.name === JOB_SERVICE)
  if (listed && listed.endpoint === url && JSON.stringify(listed) === JSON.stringify(fresh.services![0]))
    return { agentId, registered }
  await updateRegistration(listing.erc8004, agentId, {
    ...fresh,
    registrations: current.registration?.registrations ?? [
      { agentId: Number(agentId), agentRegistry: agentRegistryOf(listing.erc8004) },
    ],
  })
  return { agentId, registered }
}

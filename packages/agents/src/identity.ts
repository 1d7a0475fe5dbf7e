import { isAddressEqual } from 'viem'
import { registerAgent, type Erc8004Client, type RegistrationFileInput } from '@hermit/erc8004'
import { AgentError } from './errors.ts'
import { readAgentFile, writeAgentFile } from './state.ts'

/** The agent's ERC-8004 id: read from its data folder, or registered once (with `registration`) and written there. */
export async function ensureRegistered(
  erc8004: Erc8004Client,
  dataDir: string,
  registration: RegistrationFileInput,
): Promise<{ agentId: bigint; agentURI: string; registered: boolean }> {
  const chainId = erc8004.publicClient.chain.id
  const known = readAgentFile(dataDir)
  if (known) {
    if (known.chainId !== chainId || !isAddressEqual(known.identity, erc8004.registries.identity)) {
      throw new AgentError('AGENTS_OTHER_CHAIN', `${dataDir} belongs to an agent on another chain or registry.`, {
        hint: 'Use one data folder per agent and chain.',
      })
    }
    return { agentId: known.agentId, agentURI: known.agentURI, registered: false }
  }
  const { agentId, agentURI } = await registerAgent(erc8004, { registration })
  writeAgentFile(dataDir, { agentId, agentURI, chainId, identity: erc8004.registries.identity })
  return { agentId, agentURI, registered: true }
}

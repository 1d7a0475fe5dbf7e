import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isAddress, type Address } from 'viem'
import { z } from 'zod'
import { writeFileAtomic } from '@hermit/chain'
import { AgentError } from './errors.ts'

const agentFileSchema = z.strictObject({
  agentId: z.string().regex(/^\d+$/),
  agentURI: z.string(),
  chainId: z.number().int(),
  identity: z.custom<Address>((v) => typeof v === 'string' && isAddress(v, { strict: false }), 'expected an address'),
})

/**
 * The little an agent keeps on disk: its ERC-8004 id (so a restart does not register again).
 * Everything about jobs is read back from the chain.
 */
export function readAgentFile(
  dir: string,
): { agentId: bigint; agentURI: string; chainId: number; identity: Address } | undefined {
  const path = join(dir, 'agent.json')
  if (!existsSync(path)) return undefined
  const parsed = agentFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success)
    throw new AgentError('AGENTS_BAD_STATE', `${path} is not an agent file: ${parsed.error.issues[0]?.message}`, {
      hint: 'Move it away to register a new agent.',
    })
  return { ...parsed.data, agentId: BigInt(parsed.data.agentId) }
}

export function writeAgentFile(
  dir: string,
  agent: { agentId: bigint; agentURI: string; chainId: number; identity: Address },
): void {
  writeFileAtomic(
    join(dir, 'agent.json'),
    `${JSON.stringify({ ...agent, agentId: agent.agentId.toString() }, null, 2)}\n`,
  )
}

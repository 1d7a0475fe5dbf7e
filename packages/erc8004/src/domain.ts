import { z } from 'zod'
import { shortMessageOf } from '@hermit/errors'
import { normalizeRegistrationFile, type RegistrationFile } from './schemas.ts'
import { fetchJson, type UriOptions } from './uri.ts'

/** Whether an endpoint's domain says, at /.well-known/agent-registration.json, that it serves this agent. */
export type DomainProof = {
  /** The origin checked, e.g. https://agent.example. */
  origin: string
  url: string
  verified: boolean
  /** Why not, when not verified (unreachable, not JSON, no matching registration). */
  reason: string | null
}

// only the part that proves anything is read; the rest of the file may be any registration file
const wellKnownSchema = z.looseObject({
  registrations: z
    .array(
      z.looseObject({
        agentId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).nullable(),
        agentRegistry: z.string(),
      }),
    )
    .max(100),
})

/**
 * The ERC-8004 domain proof: an endpoint's domain publishes `/.well-known/agent-registration.json`
 * with a `registrations` entry naming this agent (id and `eip155:<chain>:<registry>`). Without it,
 * a registration file can name any domain. Each distinct http(s) origin of the file's services is
 * checked once; fetched with the same limits as agent URIs (https only, except on loopback).
 */
export async function verifyDomainProofs(
  file: RegistrationFile,
  agent: { agentId: bigint; agentRegistry: string },
  options: UriOptions = {},
): Promise<DomainProof[]> {
  const origins = new Set<string>()
  for (const s of file.services) {
    try {
      const url = new URL(s.endpoint)
      if (url.protocol === 'https:' || url.protocol === 'http:') origins.add(url.origin)
    } catch {
      // an endpoint that is not a URL (an ENS name, a DID…) has no domain to prove
    }
  }
  return Promise.all([...origins].map((origin) => verifyOrigin(origin, agent, options)))
}

async function verifyOrigin(
  origin: string,
  agent: { agentId: bigint; agentRegistry: string },
  options: UriOptions,
): Promise<DomainProof> {
  const url = `${origin}/.well-known/agent-registration.json`
  let json: unknown
  try {
    json = (await fetchJson(url, options)).json
  } catch (error) {
    return { origin, url, verified: false, reason: shortMessageOf(error) }
  }
  const parsed = wellKnownSchema.safeParse(normalizeRegistrationFile(json))
  if (!parsed.success) return { origin, url, verified: false, reason: 'the file has no registrations list' }
  const match = parsed.data.registrations.some(
    (r) =>
      r.agentId !== null &&
      BigInt(r.agentId) === agent.agentId &&
      r.agentRegistry.toLowerCase() === agent.agentRegistry.toLowerCase(),
  )
  return match
    ? { origin, url, verified: true, reason: null }
    : { origin, url, verified: false, reason: `no registration of agent ${agent.agentId} on ${agent.agentRegistry}` }
}

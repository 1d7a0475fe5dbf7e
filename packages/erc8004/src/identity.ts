import {
  getAbiItem,
  isAddressEqual,
  parseEventLogs,
  type Address,
  type Hex,
  type LocalAccount,
  type TransactionReceipt,
} from 'viem'
import { identityRegistryAbi } from '@hermit/contracts'
import { shortMessageOf } from '@hermit/errors'
import { Erc8004Error } from './errors.ts'
import { getLogsPaged, readContract, writeAndWait } from '@hermit/chain'
import type { Erc8004Client } from './client.ts'
import {
  formatAgentRegistry,
  parseRegistrationFile,
  type RegistrationFile,
  type RegistrationFileInput,
} from './schemas.ts'
import { fetchJson, toDataUri } from './uri.ts'
import { verifyDomainProofs, type DomainProof } from './domain.ts'

export type MetadataEntry = { key: string; value: Hex }

export type AgentInfo = {
  agentId: bigint
  owner: Address
  agentURI: string
  /** The verified payment wallet, or null when unset (e.g. after a transfer). */
  agentWallet: Address | null
  registration?: RegistrationFile
  /** Why the registration file could not be used, when it could not. */
  registrationError?: string
  /** With `verifyDomain`: each service origin's /.well-known/agent-registration.json proof. */
  domainProofs?: DomainProof[]
}

const AGENT_WALLET_TYPES = {
  AgentWalletSet: [
    { name: 'agentId', type: 'uint256' },
    { name: 'newWallet', type: 'address' },
    { name: 'owner', type: 'address' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

const ZERO = '0x0000000000000000000000000000000000000000'

/** The registry id of `c` as registration files write it: eip155:<chainId>:<identity>. */
export function agentRegistryOf(c: Erc8004Client): string {
  return formatAgentRegistry(c.publicClient.chain.id, c.registries.identity)
}

/**
 * Registers an agent. With `registration`, the file is checked against the ERC-8004 schema and
 * published as a data: URI; since the file should name its own agentId, it is written a second
 * time (setAgentURI) once the id is known, unless it already has `registrations`.
 */
export async function registerAgent(
  c: Erc8004Client,
  args: { registration?: RegistrationFileInput; agentURI?: string; metadata?: MetadataEntry[] } = {},
): Promise<{ agentId: bigint; agentURI: string; receipts: TransactionReceipt[] }> {
  if (args.registration && args.agentURI)
    throw new Erc8004Error('ERC8004_BAD_ARGS', 'Give either registration or agentURI, not both.')
  const file = args.registration ? parseRegistrationFile(args.registration) : undefined
  const uri = file ? toDataUri(file) : (args.agentURI ?? '')
  const metadata = (args.metadata ?? []).map((m) => ({ metadataKey: m.key, metadataValue: m.value }))
  const receipt = await writeAndWait(c, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'register',
    args: metadata.length > 0 ? [uri, metadata] : uri === '' && !file ? [] : [uri],
  })
  const [registered] = parseEventLogs({ abi: identityRegistryAbi, eventName: 'Registered', logs: receipt.logs })
  if (!registered) throw new Erc8004Error('ERC8004_NO_EVENT', 'register() emitted no Registered event.')
  const agentId = registered.args.agentId
  const receipts = [receipt]
  let agentURI = uri
  // a file written before minting has no registrations, or this registry's with agentId null: now it is known
  const registry = agentRegistryOf(c)
  if (file && (!file.registrations?.length || file.registrations.some((r) => r.agentId === null))) {
    const others = (file.registrations ?? []).filter((r) => r.agentRegistry !== registry)
    const complete = { ...file, registrations: [...others, { agentId: Number(agentId), agentRegistry: registry }] }
    agentURI = toDataUri(complete)
    receipts.push(await setAgentURI(c, agentId, agentURI))
  }
  return { agentId, agentURI, receipts }
}

export function setAgentURI(c: Erc8004Client, agentId: bigint, agentURI: string): Promise<TransactionReceipt> {
  return writeAndWait(c, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'setAgentURI',
    args: [agentId, agentURI],
  })
}

/** Checks and publishes a new registration file (as a data: URI). */
export function updateRegistration(
  c: Erc8004Client,
  agentId: bigint,
  registration: RegistrationFileInput,
): Promise<TransactionReceipt> {
  return setAgentURI(c, agentId, toDataUri(parseRegistrationFile(registration)))
}

export function setMetadata(c: Erc8004Client, agentId: bigint, key: string, value: Hex): Promise<TransactionReceipt> {
  return writeAndWait(c, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'setMetadata',
    args: [agentId, key, value],
  })
}

export function getMetadata(c: Erc8004Client, agentId: bigint, key: string): Promise<Hex> {
  return readContract(c.publicClient, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'getMetadata',
    args: [agentId, key],
  })
}

/** The new wallet's EIP-712 consent to become `agentId`'s wallet under `owner`, valid until `deadline`. */
export function signAgentWallet(
  wallet: LocalAccount,
  args: { chainId: number; identity: Address; agentId: bigint; owner: Address; deadline: bigint },
): Promise<Hex> {
  return wallet.signTypedData({
    domain: { name: 'ERC8004IdentityRegistry', version: '1', chainId: args.chainId, verifyingContract: args.identity },
    types: AGENT_WALLET_TYPES,
    primaryType: 'AgentWalletSet',
    message: { agentId: args.agentId, newWallet: wallet.address, owner: args.owner, deadline: args.deadline },
  })
}

/**
 * Sets the agent's wallet. Pass the new wallet's `signature` (from signAgentWallet), or the
 * wallet account itself to sign here. The registry accepts deadlines at most 5 minutes ahead.
 */
export async function setAgentWallet(
  c: Erc8004Client,
  agentId: bigint,
  args: { wallet: LocalAccount; deadline?: bigint } | { wallet: Address; signature: Hex; deadline: bigint },
): Promise<TransactionReceipt> {
  let wallet: Address
  let signature: Hex
  let deadline: bigint
  if (typeof args.wallet === 'string') {
    const a = args as { wallet: Address; signature: Hex; deadline: bigint }
    ;[wallet, signature, deadline] = [a.wallet, a.signature, a.deadline]
  } else {
    const account = args.wallet
    const now = (await c.publicClient.getBlock()).timestamp
    deadline = args.deadline ?? now + 240n
    const owner = await ownerOf(c, agentId)
    signature = await signAgentWallet(account, {
      chainId: c.publicClient.chain.id,
      identity: c.registries.identity,
      agentId,
      owner,
      deadline,
    })
    wallet = account.address
  }
  return writeAndWait(c, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'setAgentWallet',
    args: [agentId, wallet, deadline, signature],
  })
}

export function unsetAgentWallet(c: Erc8004Client, agentId: bigint): Promise<TransactionReceipt> {
  return writeAndWait(c, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'unsetAgentWallet',
    args: [agentId],
  })
}

export function ownerOf(c: Erc8004Client, agentId: bigint): Promise<Address> {
  return readContract(c.publicClient, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'ownerOf',
    args: [agentId],
  })
}

export async function getAgentWallet(c: Erc8004Client, agentId: bigint): Promise<Address | null> {
  const w = await readContract(c.publicClient, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'getAgentWallet',
    args: [agentId],
  })
  return w === ZERO ? null : w
}

/** On-chain data of an agent plus its parsed registration file (`resolve: false` skips the fetch). */
export async function getAgent(
  c: Erc8004Client,
  agentId: bigint,
  options: { resolve?: boolean; verifyDomain?: boolean } = {},
): Promise<AgentInfo> {
  const [owner, agentURI, agentWallet] = await Promise.all([
    ownerOf(c, agentId),
    readContract(c.publicClient, {
      address: c.registries.identity,
      abi: identityRegistryAbi,
      functionName: 'tokenURI',
      args: [agentId],
    }),
    getAgentWallet(c, agentId),
  ])
  const info: AgentInfo = { agentId, owner, agentURI, agentWallet }
  if (options.resolve === false) return info
  if (agentURI === '') return { ...info, registrationError: 'no agentURI set' }
  try {
    const { json } = await fetchJson(agentURI, c.uri)
    const registration = parseRegistrationFile(json)
    if (!options.verifyDomain) return { ...info, registration }
    const domainProofs = await verifyDomainProofs(registration, { agentId, agentRegistry: agentRegistryOf(c) }, c.uri)
    return { ...info, registration, domainProofs }
  } catch (error) {
    return { ...info, registrationError: shortMessageOf(error) }
  }
}

export type AgentFilter = {
  /** A service name the agent offers (case-insensitive), e.g. "MCP", "A2A", "hermit-job". */
  service?: string
  /** A skill listed by one of its services. */
  skill?: string
  domain?: string
  /** Only agents whose file says active (missing `active` counts as not active). */
  active?: boolean
  owner?: Address
}

function matches(agent: AgentInfo, f: AgentFilter): boolean {
  if (f.owner && !isAddressEqual(agent.owner, f.owner)) return false
  const needsFile = f.service !== undefined || f.skill !== undefined || f.domain !== undefined || f.active !== undefined
  if (!needsFile) return true
  const r = agent.registration
  if (!r) return false
  if (f.active !== undefined && (r.active ?? false) !== f.active) return false
  const lower = (s: string) => s.toLowerCase()
  if (f.service && !r.services.some((s) => lower(s.name) === lower(f.service!))) return false
  if (f.skill && !r.services.some((s) => s.skills?.some((k) => lower(k) === lower(f.skill!)))) return false
  if (f.domain && !r.services.some((s) => s.domains?.some((k) => lower(k) === lower(f.domain!)))) return false
  return true
}

/**
 * Discovery without a subgraph: scans `Registered` events (in pages), reads each agent's current
 * URI and file, and keeps those matching the filter. Agents whose file cannot be used are listed in
 * `skipped` when a filter needs the file.
 */
export async function findAgents(
  c: Erc8004Client,
  filter: AgentFilter = {},
  range: { fromBlock?: bigint; toBlock?: bigint; pageSize?: bigint } = {},
): Promise<{ agents: AgentInfo[]; skipped: Array<{ agentId: bigint; reason: string }> }> {
  const logs = await getLogsPaged(c.publicClient, {
    address: c.registries.identity,
    event: getAbiItem({ abi: identityRegistryAbi, name: 'Registered' }),
    ...range,
  })
  const ids = [...new Set(logs.map((l) => l.args.agentId!))]
  const infos = await Promise.all(ids.map((id) => getAgent(c, id).catch(() => undefined)))
  const agents: AgentInfo[] = []
  const skipped: Array<{ agentId: bigint; reason: string }> = []
  for (const [i, info] of infos.entries()) {
    if (!info) {
      skipped.push({ agentId: ids[i]!, reason: 'no longer exists' })
      continue
    }
    if (matches(info, filter)) agents.push(info)
    else if (info.registrationError && Object.keys(filter).some((k) => k !== 'owner'))
      skipped.push({ agentId: info.agentId, reason: info.registrationError })
  }
  return { agents, skipped }
}

/** Calls `onAgent` for every agent registered from now on (polling the chain's logs). */
export function watchRegistrations(
  c: Erc8004Client,
  onAgent: (agentId: bigint, owner: Address, agentURI: string) => void,
): () => void {
  return c.publicClient.watchContractEvent({
    address: c.registries.identity,
    abi: identityRegistryAbi,
    eventName: 'Registered',
    onLogs: (logs) => {
      for (const l of logs) onAgent(l.args.agentId!, l.args.owner!, l.args.agentURI!)
    },
  })
}

/** The registry's own check: is `spender` the agent's owner, an operator of the owner, or approved for it? */
export function isAuthorizedOrOwner(c: Erc8004Client, spender: Address, agentId: bigint): Promise<boolean> {
  return readContract(c.publicClient, {
    address: c.registries.identity,
    abi: identityRegistryAbi,
    functionName: 'isAuthorizedOrOwner',
    args: [spender, agentId],
  })
}

import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import { pushedSelectors } from './bytecode.ts'
import { classify, type Walk } from './controllers.ts'
import { TrustError } from './errors.ts'
import { shortestPath } from './paths.ts'
import { detectProxy } from './proxy.ts'
import { asAddress, codeAt, tryRead, type At, type TrustClient } from './read.ts'
import { DEFAULT_ADMIN_ROLE, ROLES, roleMembers } from './roles.ts'
import type { Capability, Controller, Power, ProxyInfo, RoleMembers, TrustReport } from './schema.ts'
import { capabilitiesOf, HAS_ROLE } from './selectors.ts'
import { summarize } from './summary.ts'
import type { TrustCache } from './cache.ts'

export type CheckTrustOptions = {
  /** The block to read at (default: latest). With `hash`, reports can be cached per block. */
  block?: { number: bigint; hash?: Hex | null }
  /** Oldest block whose RoleGranted logs are read (default: `rolesLookback` blocks before `block`). */
  fromBlock?: bigint
  /** Blocks of role logs read when `fromBlock` is not given (default 1,000,000: enough on a fork or devnet). */
  rolesLookback?: bigint
  /** How many levels of controllers are followed (a timelock's proposer that is a Safe whose owners…); default 3. */
  depth?: number
  cache?: TrustCache
}

/**
 * Who can upgrade, pause, mint, blacklist, set fees or move funds in the contract at `address`, as
 * read from the chain alone at one block, and the cheapest path from one key to an upgrade or a fund
 * movement. Never sends anything.
 */
export async function checkTrust(
  client: TrustClient,
  address: string,
  options: CheckTrustOptions = {},
): Promise<TrustReport> {
  if (!isAddress(address, { strict: false }))
    throw new TrustError('TRUST_BAD_ADDRESS', `Not an address: ${JSON.stringify(address.slice(0, 60))}.`, {
      hint: 'Pass a 0x-prefixed, 20-byte hex address.',
    })
  const target = getAddress(address)
  try {
    const block = options.block ?? (await client.getBlock({ blockTag: 'latest' }))
    const chainId = client.chain?.id ?? (await client.getChainId())
    const key = block.hash ? `${chainId}:${block.hash}:${target}:${options.fromBlock ?? ''}` : null
    const hit = key ? options.cache?.get(key) : undefined
    if (hit) return hit
    const pending = read({ client, blockNumber: block.number }, chainId, target, options)
    if (key) options.cache?.set(key, pending)
    return await pending
  } catch (cause) {
    if (cause instanceof TrustError) throw cause
    throw new TrustError('TRUST_READ_FAILED', `Could not read the trust model of ${target}: ${shortMessageOf(cause)}`, {
      hint: 'Check that --rpc points at a running node (a devnet or a fork) that serves eth_getCode, eth_getStorageAt and eth_getLogs.',
      cause,
    })
  }
}

async function read(at: At, chainId: number, target: Address, options: CheckTrustOptions): Promise<TrustReport> {
  const lookback = options.rolesLookback ?? 1_000_000n
  const fromBlock = options.fromBlock ?? (at.blockNumber > lookback ? at.blockNumber - lookback : 0n)
  const code = await codeAt(at, target)
  const base = {
    schema: 'hermit-trust/v1' as const,
    chainId,
    blockNumber: at.blockNumber.toString(),
    address: target,
    rolesFromBlock: fromBlock.toString(),
  }
  if (code === '0x') {
    const report = {
      ...base,
      code: 'none' as const,
      proxy: { kind: 'none' as const, implementation: null, admin: null, beacon: null, facets: [] },
      capabilities: [],
      owner: null,
      roles: [],
      powers: [],
      shortest: { upgrade: null, moveFunds: null },
      instantSingleKeyUpgrade: false,
    }
    return { ...report, summary: summarize(report, []) }
  }
  const proxy = await detectProxy(at, target, code)
  // the code that runs: the proxy's own, and its implementation's or facets'
  const running = [proxy.implementation, ...proxy.facets].filter((a): a is Address => a !== null)
  const selectors = new Set(pushedSelectors(code))
  for (const c of await Promise.all(running.map((a) => codeAt(at, a))))
    for (const s of pushedSelectors(c)) selectors.add(s)
  const found = capabilitiesOf(selectors)
  const owner = asAddress(await tryRead(at, target, 'owner'))
  const roles = selectors.has(HAS_ROLE) ? await roleMembers(at, target, fromBlock) : []

  const walk: Walk = { fromBlock, depth: options.depth ?? 3, seen: new Set([target]) }
  const classified = new Map<Address, Promise<Controller>>()
  const holder = (a: Address) => {
    if (!classified.has(a)) classified.set(a, classify(at, a, walk))
    return classified.get(a)!
  }
  const wanted: Array<{ capability: Capability; via: string; address: Address }> = []
  const upgradeVia = upgradeHolders(proxy, found.has('upgrade'), target)
  for (const u of upgradeVia.direct) wanted.push({ capability: 'upgrade', ...u })
  const byAuthority: Capability[] = [...found.keys()].filter((c) => c !== 'upgrade')
  if (upgradeVia.byAuthority) byAuthority.unshift('upgrade')
  for (const capability of byAuthority) wanted.push(...authorityFor(capability, owner, roles))
  if (proxy.kind === 'eip7702') wanted.push({ capability: 'move-funds', via: "the account's own key", address: target })
  const powers: Power[] = await Promise.all(
    dedupe(wanted).map(async (w) => ({
      capability: w.capability,
      via: w.via,
      holder:
        w.address === target && proxy.kind === 'eip7702'
          ? { address: target, kind: 'delegated-eoa' as const, controllers: [] }
          : await holder(w.address),
    })),
  )
  const upgradeCapabilities = upgradeVia.direct.length > 0 || upgradeVia.byAuthority
  const report = {
    ...base,
    code: proxy.kind === 'eip7702' ? ('delegated' as const) : ('contract' as const),
    proxy,
    capabilities: [
      ...(upgradeCapabilities
        ? [{ capability: 'upgrade' as const, functions: found.get('upgrade') ?? [upgradeVia.label] }]
        : []),
      ...[...found].filter(([c]) => c !== 'upgrade').map(([capability, functions]) => ({ capability, functions })),
    ],
    owner,
    roles,
    powers,
    shortest: {
      upgrade: shortestPath(powers, ['upgrade'], 'upgrade'),
      moveFunds: shortestPath(powers, ['move-funds', 'upgrade'], 'move-funds'),
    },
  }
  const upgrade = report.shortest.upgrade
  const full = { ...report, instantSingleKeyUpgrade: upgrade?.keys === 1 && upgrade.delaySeconds === '0' }
  return { ...full, summary: summarize(full, powers) }
}

/**
 * Who upgrades, by proxy kind: a transparent proxy's admin (a ProxyAdmin), a beacon (its owner), a
 * 7702 account's own key. UUPS, a diamond, or a proxy with its own upgrade function: whoever holds
 * the contract's authority (owner(), UPGRADER_ROLE or DEFAULT_ADMIN_ROLE): `byAuthority`.
 */
function upgradeHolders(
  proxy: ProxyInfo,
  hasUpgradeFunction: boolean,
  target: Address,
): { direct: Array<{ via: string; address: Address }>; byAuthority: boolean; label: string } {
  switch (proxy.kind) {
    case 'eip1967-transparent':
      return {
        direct: [{ via: 'ERC-1967 admin slot', address: proxy.admin! }],
        byAuthority: false,
        label: 'ERC-1967 admin',
      }
    case 'beacon':
      return { direct: [{ via: 'beacon', address: proxy.beacon! }], byAuthority: false, label: 'beacon upgradeTo' }
    case 'eip7702':
      return {
        direct: [{ via: "the account's own key (it can re-delegate)", address: target }],
        byAuthority: false,
        label: 'EIP-7702 re-delegation',
      }
    case 'eip1967-uups':
    case 'eip1967':
      return { direct: [], byAuthority: hasUpgradeFunction, label: 'upgradeToAndCall(address,bytes)' }
    case 'diamond':
      return { direct: [], byAuthority: true, label: 'diamondCut' }
    default:
      return { direct: [], byAuthority: false, label: '' }
  }
}

/** Holders of one capability: its role's members, else owner(), and DEFAULT_ADMIN_ROLE (it can grant any role). */
function authorityFor(capability: Capability, owner: Address | null, roles: readonly RoleMembers[]) {
  const out: Array<{ capability: Capability; via: string; address: Address }> = []
  for (const r of roles)
    if (ROLES.get(r.role as Hex)?.capability === capability)
      for (const m of r.members) out.push({ capability, via: `role ${r.name}`, address: m })
  if (out.length === 0 && owner) out.push({ capability, via: 'owner()', address: owner })
  for (const r of roles)
    if (r.role === DEFAULT_ADMIN_ROLE)
      for (const m of r.members)
        out.push({ capability, via: 'role DEFAULT_ADMIN_ROLE (can grant itself any role)', address: m })
  return out
}

function dedupe<T extends { capability: string; via: string; address: Address }>(list: T[]): T[] {
  const seen = new Set<string>()
  return list.filter((w) => {
    const k = `${w.capability}|${w.via}|${w.address}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

import type { Address } from 'viem'
import { delegationTarget } from './bytecode.ts'
import { asAddress, codeAt, tryRead, type At } from './read.ts'
import { PROPOSER_ROLE, roleMembers } from './roles.ts'
import type { Controller } from './schema.ts'

export type Walk = { fromBlock: bigint; depth: number; seen: ReadonlySet<Address> }

/**
 * What an address that holds a power is, and who acts through it, a few levels down: a Safe's
 * owners, a timelock's proposers (OpenZeppelin) or admin (Compound), a contract's owner().
 */
export async function classify(at: At, address: Address, walk: Walk): Promise<Controller> {
  const code = await codeAt(at, address)
  if (code === '0x') return { address, kind: 'eoa', controllers: [] }
  if (delegationTarget(code)) return { address, kind: 'delegated-eoa', controllers: [] }
  const truncated = walk.depth <= 0 || walk.seen.has(address)
  const next: Walk = { ...walk, depth: walk.depth - 1, seen: new Set([...walk.seen, address]) }
  const below = async (addresses: readonly Address[]) =>
    truncated ? [] : Promise.all(addresses.map((a) => classify(at, a, next)))
  const mark = truncated ? { truncated: true } : {}

  const [threshold, owners] = await Promise.all([
    tryRead(at, address, 'getThreshold'),
    tryRead(at, address, 'getOwners'),
  ])
  if (typeof threshold === 'bigint' && Array.isArray(owners)) {
    const list = owners.map(asAddress).filter((a): a is Address => a !== null)
    return {
      address,
      kind: 'safe',
      safe: { threshold: Number(threshold), owners: list },
      controllers: await below(list),
      ...mark,
    }
  }
  const minDelay = await tryRead(at, address, 'getMinDelay')
  if (typeof minDelay === 'bigint') {
    // who can schedule: PROPOSER_ROLE members (executors only carry out what was scheduled)
    const proposers = truncated
      ? []
      : (await roleMembers(at, address, walk.fromBlock, PROPOSER_ROLE)).flatMap((r) => r.members)
    return {
      address,
      kind: 'timelock',
      timelock: { style: 'openzeppelin', minDelaySeconds: minDelay.toString() },
      controllers: await below(proposers),
      ...mark,
    }
  }
  const [delay, admin] = await Promise.all([tryRead(at, address, 'delay'), tryRead(at, address, 'admin')])
  const adminAddress = asAddress(admin)
  if (typeof delay === 'bigint' && adminAddress) {
    return {
      address,
      kind: 'timelock',
      timelock: { style: 'compound', minDelaySeconds: delay.toString() },
      controllers: await below([adminAddress]),
      ...mark,
    }
  }
  const owner = asAddress(await tryRead(at, address, 'owner'))
  return { address, kind: 'contract', controllers: await below(owner ? [owner] : []), ...mark }
}

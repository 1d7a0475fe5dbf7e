import { getAbiItem, type AbiEvent, type Address, type GetLogsReturnType, type Log } from 'viem'
import type { ExtractAbiEvent, ExtractAbiEventNames } from 'abitype'
import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'
import { requireValidation, type Erc8004Client } from './client.ts'
import { getLogsPaged } from './logs.ts'

const abis = {
  identity: identityRegistryAbi,
  reputation: reputationRegistryAbi,
  validation: validationRegistryAbi,
} as const
export type RegistryName = keyof typeof abis
export type RegistryEventName<R extends RegistryName> = ExtractAbiEventNames<(typeof abis)[R]>
type EventOf<R extends RegistryName, E extends RegistryEventName<R>> = ExtractAbiEvent<(typeof abis)[R], E>

function addressOf(c: Erc8004Client, registry: RegistryName): Address {
  return registry === 'validation' ? requireValidation(c) : c.registries[registry]
}

/**
 * Typed logs of any registry event over a block range, in pages (`args` filters indexed fields),
 * e.g. `registryLogs(c, 'reputation', 'NewFeedback', { args: { agentId } })`.
 */
export function registryLogs<R extends RegistryName, E extends RegistryEventName<R>>(
  c: Erc8004Client,
  registry: R,
  eventName: E,
  o: { args?: Record<string, unknown>; fromBlock?: bigint; toBlock?: bigint; pageSize?: bigint } = {},
): Promise<GetLogsReturnType<EventOf<R, E>>> {
  const event = getAbiItem({ abi: abis[registry] as never, name: eventName as never }) as unknown as EventOf<R, E> &
    AbiEvent
  return getLogsPaged(c.publicClient, { address: addressOf(c, registry), event, ...o }) as never
}

/** Calls `onLogs` with every new event of that kind (polling); returns the function that stops it. */
export function watchRegistryEvent<R extends RegistryName, E extends RegistryEventName<R>>(
  c: Erc8004Client,
  registry: R,
  eventName: E,
  onLogs: (logs: Array<Log & { args: Record<string, unknown>; eventName: E }>) => void,
  o: { args?: Record<string, unknown>; pollingInterval?: number } = {},
): () => void {
  return c.publicClient.watchContractEvent({
    address: addressOf(c, registry),
    abi: abis[registry] as never,
    eventName: eventName as never,
    ...(o.args ? { args: o.args as never } : {}),
    ...(o.pollingInterval ? { pollingInterval: o.pollingInterval } : {}),
    onLogs: onLogs as never,
  })
}

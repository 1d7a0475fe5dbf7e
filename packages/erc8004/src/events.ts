import type { GetLogsParameters, GetLogsReturnType, WatchEventOnLogsParameter } from 'viem'
import type { ExtractAbiEvent, ExtractAbiEventNames } from 'abitype'
import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'
import { getLogsPaged } from '@hermit/chain'
import { requireValidation, type Erc8004Client } from './client.ts'

const abis = {
  identity: identityRegistryAbi,
  reputation: reputationRegistryAbi,
  validation: validationRegistryAbi,
} as const
export type RegistryName = keyof typeof abis
export type RegistryEventName<R extends RegistryName> = ExtractAbiEventNames<(typeof abis)[R]>
type EventOf<R extends RegistryName, E extends RegistryEventName<R>> = ExtractAbiEvent<(typeof abis)[R], E>

function addressOf(c: Erc8004Client, registry: RegistryName) {
  return registry === 'validation' ? requireValidation(c) : c.registries[registry]
}

/** The ABI item of one registry event, typed by its registry and name. */
function eventOf<R extends RegistryName, E extends RegistryEventName<R>>(registry: R, eventName: E): EventOf<R, E> {
  const abi: readonly { type: string; name?: string }[] = abis[registry]
  const item = abi.find((entry) => entry.type === 'event' && entry.name === eventName)
  if (!item) throw new TypeError(`${registry} registry has no event ${eventName}`)
  // the find above is the runtime half of ExtractAbiEvent: the item it returns is that type
  return item as EventOf<R, E>
}

/**
 * Typed logs of any registry event over a block range, in pages (`args` filters indexed fields),
 * e.g. `registryLogs(c, 'reputation', 'NewFeedback', { args: { agentId } })`.
 */
export function registryLogs<R extends RegistryName, E extends RegistryEventName<R>>(
  c: Erc8004Client,
  registry: R,
  eventName: E,
  options: {
    args?: GetLogsParameters<EventOf<R, E>>['args']
    fromBlock?: bigint
    toBlock?: bigint
    pageSize?: bigint
  } = {},
): Promise<GetLogsReturnType<EventOf<R, E>>> {
  return getLogsPaged(c.publicClient, {
    address: addressOf(c, registry),
    event: eventOf(registry, eventName),
    ...options,
  })
}

/** Calls `onLogs` with every new event of that kind (polling); returns the function that stops it. */
export function watchRegistryEvent<R extends RegistryName, E extends RegistryEventName<R>>(
  c: Erc8004Client,
  registry: R,
  eventName: E,
  onLogs: (logs: WatchEventOnLogsParameter<EventOf<R, E>>) => void,
  options: { args?: GetLogsParameters<EventOf<R, E>>['args']; pollingInterval?: number } = {},
): () => void {
  return c.publicClient.watchEvent({
    address: addressOf(c, registry),
    event: eventOf(registry, eventName),
    ...(options.args ? { args: options.args } : {}),
    ...(options.pollingInterval ? { pollingInterval: options.pollingInterval } : {}),
    onLogs,
  })
}

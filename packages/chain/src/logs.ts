import type { AbiEvent, Address, GetLogsParameters, GetLogsReturnType } from 'viem'
import type { Reader } from './write.ts'

export type PagedLogsOptions<E extends AbiEvent> = {
  /** The emitting contract(s); left out, every contract's logs of `event` (e.g. any token's Transfer). */
  address?: Address | Address[] | undefined
  event: E
  args?: GetLogsParameters<E>['args']
  fromBlock?: bigint
  toBlock?: bigint
  /** Blocks per eth_getLogs call (providers cap ranges; default 10,000). */
  pageSize?: bigint
}

/** eth_getLogs over a block range in pages, oldest first. No indexer or subgraph needed. */
export async function getLogsPaged<const E extends AbiEvent>(
  publicClient: Reader,
  options: PagedLogsOptions<E>,
): Promise<GetLogsReturnType<E>> {
  // cacheTime 0: a cached head could be a block behind the transaction just mined
  const to = options.toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }))
  const size = options.pageSize ?? 10_000n
  const out: GetLogsReturnType<E> = []
  for (let from = options.fromBlock ?? 0n; from <= to; from += size) {
    const end = from + size - 1n < to ? from + size - 1n : to
    const page = await publicClient.getLogs({
      ...(options.address === undefined ? {} : { address: options.address }),
      event: options.event,
      args: options.args,
      fromBlock: from,
      toBlock: end,
    } as GetLogsParameters<E, undefined, undefined, bigint, bigint>)
    out.push(...(page as GetLogsReturnType<E>))
  }
  return out
}

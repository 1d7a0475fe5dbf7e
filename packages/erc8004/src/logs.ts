import type { AbiEvent, Address, Chain, GetLogsReturnType, PublicClient, Transport } from 'viem'

export type PagedLogsOptions<E extends AbiEvent> = {
  address: Address
  event: E
  args?: Record<string, unknown>
  fromBlock?: bigint
  toBlock?: bigint
  /** Blocks per eth_getLogs call (providers cap ranges; default 10,000). */
  pageSize?: bigint
}

/** eth_getLogs over a block range in pages, oldest first. No indexer or subgraph needed. */
export async function getLogsPaged<E extends AbiEvent>(
  publicClient: PublicClient<Transport, Chain>,
  o: PagedLogsOptions<E>,
): Promise<GetLogsReturnType<E>> {
  // cacheTime 0: a cached head could be a block behind the transaction just mined
  const to = o.toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }))
  const size = o.pageSize ?? 10_000n
  const out: GetLogsReturnType<E> = []
  for (let from = o.fromBlock ?? 0n; from <= to; from += size) {
    const end = from + size - 1n < to ? from + size - 1n : to
    const logs = await publicClient.getLogs({
      address: o.address,
      event: o.event,
      args: o.args,
      fromBlock: from,
      toBlock: end,
    } as never)
    out.push(...(logs as GetLogsReturnType<E>))
  }
  return out
}

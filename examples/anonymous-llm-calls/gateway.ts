/**
 * The provider's side: `@hermit/gateway` in front of a model server. Here the model server is the
 * scripted test double from `@hermit/llm/testing` (no model runs, so the demo stays fast and
 * deterministic); `hermit gateway --upstream <url>` puts the same gateway in front of a real one.
 */
import { join } from 'node:path'
import { createGateway } from '@hermit/gateway'
import type { Devnet } from '@hermit/devnet'
import { startScriptedModelServer, type ScriptedModelServer } from '@hermit/llm/testing'
import { SqliteNullifierStore, type GateEvent, type PoolInfo } from '@hermit/zkpay'

export type ModelGateway = {
  url: string
  model: ScriptedModelServer
  events: GateEvent[]
  close(): Promise<void>
}

export async function startModelGateway(
  devnet: Devnet,
  options: { pool: PoolInfo; fromBlock: bigint; dir: string; tokensPerTicket: number; providerIndex: number },
): Promise<ModelGateway> {
  const model = await startScriptedModelServer({
    script: (req) => ({ content: `an answer to "${req.messages.at(-1)?.content ?? ''}"` }),
  })
  // a throwaway password: the store keeps the secrets revealed by double-spends encrypted at rest
  const store = SqliteNullifierStore.open(join(options.dir, 'nullifiers.sqlite'), {
    secretsPassword: 'example password',
    scryptN: 1024,
  })
  const events: GateEvent[] = []
  const gateway = createGateway({
    publicClient: devnet.publicClient,
    pool: options.pool,
    fromBlock: options.fromBlock,
    upstream: model.url,
    store,
    slasher: devnet.walletFor(devnet.accounts[options.providerIndex]!),
    tokensPerTicket: options.tokensPerTicket,
    onEvent: (e) => events.push(e),
  })
  const listening = await gateway.listen({ port: 0 })
  return {
    url: listening.url,
    model,
    events,
    close: async () => {
      await listening.close()
      await model.close()
      await store.close()
    },
  }
}

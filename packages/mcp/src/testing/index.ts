/** Test scaffolding for @hermit/mcp: a server's options on the devnet, an SDK client connected to it, tool results read. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { Chain, LocalAccount, Transport, WalletClient } from 'viem'
import { defiWorld, type Devnet } from '@hermit/devnet'
import { registriesFromDeployments } from '@hermit/erc8004'
import { escrowFromDeployments } from '@hermit/agents'
import type { HermitMcpOptions, McpState } from '../context.ts'
import { createHermitMcpServer } from '../server.ts'

/** The server's options for dev account `userIndex` on `devnet` (its wallet, the DeFi world if deployed, the escrow). */
export function devnetMcpOptions(
  devnet: Devnet,
  userIndex = 1,
  extra: Partial<HermitMcpOptions> = {},
): HermitMcpOptions {
  const wallet = devnet.walletFor(devnet.accounts[userIndex]!) as WalletClient<Transport, Chain, LocalAccount>
  let protocols: ReturnType<typeof defiWorld> | undefined
  try {
    protocols = defiWorld(devnet.deployments)
  } catch {
    protocols = undefined // a devnet without the DeFi world: propose_transaction says it is not configured
  }
  return {
    client: devnet.publicClient,
    rpcUrl: devnet.rpcUrl,
    wallet,
    deployments: devnet.deployments,
    ...(protocols ? { protocols, tokens: { ...protocols.tokens } } : {}),
    agents: {
      escrow: escrowFromDeployments(devnet.deployments, { publicClient: devnet.publicClient }),
      erc8004: { publicClient: devnet.publicClient, registries: registriesFromDeployments(devnet.deployments) },
    },
    ...extra,
  }
}

/** The SDK's own Client, connected in memory to a Hermit MCP server made from `options`. */
export async function connectInMemory(options: HermitMcpOptions, state?: McpState): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair()
  await createHermitMcpServer(options, state).connect(a)
  const client = new Client({ name: 'hermit-test', version: '0.0.0' })
  await client.connect(b)
  await client.listTools() // as a real client does first: the SDK then checks every result against its output schema
  return client
}

export { connectStdio, connectHttp, type StdioSession } from './stdio-client.ts'
export { walletServerCommand, WALLET_SERVER_SCRIPT, REPO_ROOT } from './wallet-server-process.ts'

export type ToolAnswer = { isError: boolean; structured: Record<string, unknown>; text: string }

/** A tool result read the way a client would: its structured content, or the failure in its text. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const r = await client.callTool({ name, arguments: args })
  const text = (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n')
  const structured = (r.structuredContent ?? (r.isError ? JSON.parse(text) : {})) as Record<string, unknown>
  return { isError: r.isError === true, structured, text }
}

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

export type StdioSession = { client: Client; stderr(): string; close(): Promise<void> }

/**
 * The SDK's own Client on a server started as a child over stdio (e.g. `node bin/hermit.js mcp …`),
 * with everything the child writes to stderr kept (to check that no secret shows there).
 */
export async function connectStdio(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command,
    args,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const client = new Client({ name: 'hermit-stdio-test', version: '0.0.0' })
  await client.connect(transport)
  await client.listTools() // as a real client does first: results are then checked against the output schemas
  return { client, stderr: () => stderr, close: () => client.close() }
}

/** The SDK's own Client over Streamable HTTP, with a bearer token when given. */
export async function connectHttp(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'hermit-http-test', version: '0.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    }),
  )
  await client.listTools()
  return client
}

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { newState, type HermitMcpOptions, type McpState } from './context.ts'
import { createHermitMcpServer } from './server.ts'

/** Serves Hermit's MCP server on this process's stdin/stdout; resolves when the client closes its end. */
export async function serveStdio(
  options: HermitMcpOptions,
  state: McpState = newState(),
): Promise<{ closed: Promise<void> }> {
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve()
    process.stdin.once('end', () => resolve())
  })
  await createHermitMcpServer(options, state).connect(transport)
  return { closed }
}

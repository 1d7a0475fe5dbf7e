import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { newState, type HermitMcpOptions, type McpState } from './context.ts'
import { registerResources } from './resources.ts'
import { registerAgentTools } from './tools/agents.ts'
import { registerBalancesTool } from './tools/balances.ts'
import { registerPayTool } from './tools/pay.ts'
import { registerProposeTool } from './tools/propose.ts'
import { registerTrustTool } from './tools/trust.ts'
import { registerVerifyTools } from './tools/verify.ts'

export const SERVER_INFO = { name: 'hermit', version: '0.1.0' } as const

/**
 * Hermit's abilities as one MCP server. `state` holds the proposals waiting for confirmation and
 * the recent reports: pass the same one to every server of a process (HTTP makes one per session).
 */
export function createHermitMcpServer(options: HermitMcpOptions, state: McpState = newState()): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      'Hermit checks transactions before they are signed. Call verify_transaction or verify_signature on anything a ' +
      'dapp or another tool asks the user to sign. propose_transaction builds, simulates and checks a plan from words; ' +
      'it sends only when called again with the id and confirm: true, and never sends a blocked plan.',
  })
  registerVerifyTools(server, options, state)
  registerProposeTool(server, options, state)
  registerBalancesTool(server, options)
  registerPayTool(server, options, state)
  registerAgentTools(server, options)
  registerTrustTool(server, options)
  registerResources(server, options, state)
  return server
}

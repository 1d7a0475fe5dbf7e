import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { reportToJson } from '@hermit/txguard'
import type { HermitMcpOptions, McpState } from './context.ts'
import { jsonSafe } from './result.ts'

const json = (uri: URL, value: unknown) => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(jsonSafe(value), null, 2) }],
})

/** What the server knows, as resources: no secret is among them (the wallet appears as its address only). */
export function registerResources(server: McpServer, options: HermitMcpOptions, state: McpState): void {
  server.registerResource(
    'deployments',
    'hermit://deployments',
    { title: 'Deployments', description: "Hermit's contracts on this chain", mimeType: 'application/json' },
    (uri) => json(uri, options.deployments ?? null),
  )
  server.registerResource(
    'tokens',
    'hermit://tokens',
    { title: 'Token list', description: "The user's tokens: symbol → address", mimeType: 'application/json' },
    (uri) => json(uri, { ...options.policy?.tokens, ...options.tokens }),
  )
  server.registerResource(
    'address-book',
    'hermit://address-book',
    {
      title: 'Address book',
      description: 'The people and contracts the user knows: name → address',
      mimeType: 'application/json',
    },
    (uri) => json(uri, { ...options.policy?.addressBook, ...options.addressBook }),
  )
  server.registerResource(
    'recent-reports',
    'hermit://reports/recent',
    {
      title: 'Recent verification reports',
      description: 'The newest txguard reports this server made (verify_* and each proposed step), newest first',
      mimeType: 'application/json',
    },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: `[${state.reports.map((r) => `{"at":${JSON.stringify(r.at)},"tool":${JSON.stringify(r.tool)},"report":${reportToJson(r.report)}}`).join(',')}]`,
        },
      ],
    }),
  )
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { checkTrust, formatTrust } from '@hermit/trust'
import type { HermitMcpOptions } from '../context.ts'
import { errorResult, jsonSafe, ok } from '../result.ts'

export function registerTrustTool(server: McpServer, options: HermitMcpOptions): void {
  server.registerTool(
    'check_contract_trust',
    {
      title: "A contract's trust model",
      description:
        'Who can upgrade, pause, mint, blacklist, set fees or move funds in a contract, through which keys and delays: ' +
        'proxy kind and implementation, owner, ERC-1967 admin, AccessControl roles, Safes (threshold, owners), ' +
        'timelocks (delay), and the shortest path from one key to an upgrade. Read from the chain alone. Read-only.',
      inputSchema: {
        address: z.string().describe('the contract'),
        fromBlock: z.string().regex(/^\d+$/).optional().describe('oldest block whose role logs are read'),
      },
      outputSchema: z.looseObject({
        address: z.string(),
        code: z.string(),
        proxy: z.looseObject({ kind: z.string() }),
        instantSingleKeyUpgrade: z.boolean(),
        summary: z.string(),
      }),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    },
    async ({ address, fromBlock }) => {
      try {
        const report = await checkTrust(options.client, address, {
          ...(fromBlock === undefined ? {} : { fromBlock: BigInt(fromBlock) }),
        })
        return ok(jsonSafe(report) as Record<string, unknown>, formatTrust(report))
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

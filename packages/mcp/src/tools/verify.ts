import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { parseRequest, verify, type Report } from '@hermit/txguard'
import type { HermitMcpOptions, McpState } from '../context.ts'
import { errorResult, jsonSafe, ok } from '../result.ts'
import { reportShape } from '../schemas.ts'

const common = {
  intent: z.string().min(1).max(500).optional().describe('what the user means to do, e.g. "send 0.2 ETH to alice"'),
  origin: z.string().max(500).optional().describe("the dapp's origin, if a dapp asked"),
}

/** Runs txguard on the simulation chain and keeps the report for the `recent reports` resource. */
export async function check(
  options: HermitMcpOptions,
  state: McpState,
  tool: string,
  request: unknown,
  extra: { intent?: string | undefined; origin?: string | undefined },
): Promise<Report> {
  parseRequest(request) // a malformed request fails before the fork is touched
  await options.beforeCheck?.()
  const report = await verify(request, {
    client: options.simulation ?? options.client,
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.policy || options.addressBook || options.tokens
      ? {
          policy: {
            ...options.policy,
            addressBook: { ...options.policy?.addressBook, ...options.addressBook },
            tokens: { ...options.policy?.tokens, ...options.tokens },
          },
        }
      : {}),
    ...(extra.intent ? { intent: extra.intent } : {}),
    ...(extra.origin ? { origin: extra.origin } : {}),
  })
  state.reports.unshift({ at: new Date().toISOString(), tool, report })
  state.reports.length = Math.min(state.reports.length, options.reportsKept ?? 20)
  return report
}

const reportText = (r: Report) =>
  [`verdict: ${r.verdict}`, ...r.reasons.map((f) => `[${f.severity}] ${f.message}`), ...r.summary].join('\n')

export function registerVerifyTools(server: McpServer, options: HermitMcpOptions, state: McpState): void {
  const chainId = () => options.client.chain.id
  server.registerTool(
    'verify_transaction',
    {
      title: 'Check a transaction before signing',
      description:
        "Simulates a transaction on a local fork (nothing is sent) and checks its real effects against the user's words " +
        'and address book: verdict allow, warn or block, with reasons and asset changes. Signs nothing.',
      inputSchema: {
        from: z.string().describe('the signer'),
        to: z.string().optional().describe('the contract or recipient (absent: a deployment)'),
        value: z.string().optional().describe('wei, decimal or 0x'),
        data: z.string().optional().describe('calldata, 0x…'),
        chainId: z.number().int().optional().describe("default: the server's chain"),
        ...common,
      },
      outputSchema: z.looseObject(reportShape),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    },
    async ({ intent, origin, chainId: id, ...tx }) => {
      try {
        const report = await check(
          options,
          state,
          'verify_transaction',
          { chainId: id ?? chainId(), ...tx },
          {
            intent,
            origin,
          },
        )
        return ok(jsonSafe(report) as Record<string, unknown>, reportText(report))
      } catch (error) {
        return errorResult(error)
      }
    },
  )
  server.registerTool(
    'verify_signature',
    {
      title: 'Check a signature request before signing',
      description:
        'Reads what an EIP-712 typed-data (eth_signTypedData_v4) or raw (eth_sign, personal_sign) signature would authorize ' +
        '(permits, orders, blind hashes) and gives the verdict allow, warn or block. Signs nothing.',
      inputSchema: {
        from: z.string().describe('the signer'),
        typedData: z.looseObject({}).optional().describe('the EIP-712 { domain, types, primaryType, message }'),
        method: z.enum(['eth_sign', 'personal_sign']).optional().describe('for a raw message instead of typed data'),
        message: z.string().optional().describe('the raw message, 0x…'),
        chainId: z.number().int().optional(),
        ...common,
      },
      outputSchema: z.looseObject(reportShape),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    },
    async ({ intent, origin, chainId: id, from, typedData, method, message }) => {
      try {
        const request = typedData
          ? { chainId: id ?? chainId(), from, typedData }
          : { chainId: id ?? chainId(), from, method, message }
        const report = await check(options, state, 'verify_signature', request, { intent, origin })
        return ok(jsonSafe(report) as Record<string, unknown>, reportText(report))
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

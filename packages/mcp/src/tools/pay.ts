import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { createZkPayClient, type ZkPayClient } from '@hermit/zkpay'
import type { HermitMcpOptions, McpState } from '../context.ts'
import { McpToolError } from '../errors.ts'
import { errorResult, ok } from '../result.ts'

/** Bodies longer than this are cut in the result (a model's context is not a download folder). */
export const PAID_BODY_LIMIT = 100_000

export function registerPayTool(server: McpServer, options: HermitMcpOptions, state: McpState): void {
  const open = (): ZkPayClient => {
    if (state.pay) return state.pay.client
    if (!options.payment)
      throw new McpToolError('MCP_NOT_CONFIGURED', 'The server has no ZK identity and tickets to pay with.', {
        hint: 'Start `hermit mcp` with --keystore and --tickets-file (password: $HERMIT_KEYSTORE_PASSWORD).',
      })
    const source = options.payment()
    const warnings: string[] = []
    const client = createZkPayClient({
      identity: source.identity,
      tickets: source.tickets,
      publicClient: options.client,
      ...(source.fromBlock === undefined ? {} : { fromBlock: source.fromBlock }),
      onWarning: (m) => warnings.push(m),
    })
    state.pay = { client, warnings }
    return client
  }
  server.registerTool(
    'paid_fetch',
    {
      title: 'Anonymous paid HTTP call',
      description:
        'An HTTP call to a zk-rln paid endpoint: on HTTP 402 it pays with one ticket of the ZK deposit (a Groth16 proof; ' +
        'the endpoint learns no address) and retries. SPENDS one ticket per paid call (no chain transaction). Returns the ' +
        "response, the tickets left and the pool's anonymity set (live deposits a payment hides among).",
      inputSchema: {
        url: z.url({ protocol: /^https?$/ }),
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).optional(),
        body: z.string().max(1_000_000).optional(),
        headers: z.record(z.string(), z.string()).optional(),
      },
      outputSchema: z.looseObject({
        status: z.number(),
        body: z.string(),
        truncated: z.boolean(),
        paid: z.boolean(),
        ticket: z.number().nullable(),
        ticketsLeft: z.number(),
        anonymitySet: z.number(),
        nullifier: z.string().nullable(),
        warnings: z.array(z.string()),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ url, method, body, headers }) => {
      try {
        const zk = open()
        const warnings = state.pay!.warnings
        warnings.length = 0
        const res = await zk.fetch(url, {
          method: method ?? 'GET',
          ...(headers ? { headers } : {}),
          ...(body === undefined ? {} : { body }),
        })
        const text = await res.text()
        const tree = await zk.sync()
        return ok({
          status: res.status,
          body: text.slice(0, PAID_BODY_LIMIT),
          truncated: text.length > PAID_BODY_LIMIT,
          paid: res.payment !== undefined,
          ticket: res.ticket ?? null,
          ticketsLeft: zk.remainingTickets(),
          anonymitySet: tree.leaves.length - tree.removed.size,
          nullifier: res.payment?.nullifier ?? null,
          warnings: [...warnings],
        })
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { erc20Abi, formatEther, formatUnits, type Address } from 'viem'
import { z } from 'zod'
import type { HermitMcpOptions } from '../context.ts'
import { McpToolError } from '../errors.ts'
import { errorResult, ok } from '../result.ts'
import { addressArg } from '../schemas.ts'

export function registerBalancesTool(server: McpServer, options: HermitMcpOptions): void {
  server.registerTool(
    'balances',
    {
      title: 'Balances',
      description: "Native balance and the balance of each token in the user's token list. Read-only.",
      inputSchema: { address: z.string().optional().describe("whose (default: the server's wallet)") },
      outputSchema: z.looseObject({
        address: z.string(),
        native: z.object({ wei: z.string(), formatted: z.string() }),
        tokens: z.array(
          z.object({
            symbol: z.string(),
            token: z.string(),
            balance: z.string(),
            decimals: z.number().nullable(),
            formatted: z.string().nullable(),
            error: z.string().optional(),
          }),
        ),
      }),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    },
    async ({ address }) => {
      try {
        const who = address === undefined ? options.wallet?.account.address : parseAddress(address)
        if (!who)
          throw new McpToolError('MCP_BAD_ARGUMENTS', 'Whose balances? The server has no wallet.', {
            hint: 'Pass address.',
          })
        const client = options.client
        const native = await client.getBalance({ address: who })
        const list: Record<string, Address> = {
          ...(options.policy?.tokens as Record<string, Address>),
          ...options.tokens,
        }
        const tokens = await Promise.all(
          Object.entries(list).map(async ([symbol, token]) => {
            try {
              const [balance, decimals] = await Promise.all([
                client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [who] }),
                client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
              ])
              return { symbol, token, balance: balance.toString(), decimals, formatted: formatUnits(balance, decimals) }
            } catch {
              // a token list entry that is not an ERC-20 on this chain: said, not fatal
              return { symbol, token, balance: '0', decimals: null, formatted: null, error: 'not an ERC-20 here' }
            }
          }),
        )
        return ok(
          { address: who, native: { wei: native.toString(), formatted: formatEther(native) }, tokens },
          [`${who}: ${formatEther(native)} ETH`, ...tokens.map((t) => `${t.formatted ?? '?'} ${t.symbol}`)].join('\n'),
        )
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

function parseAddress(value: string): Address {
  const parsed = addressArg.safeParse(value)
  if (!parsed.success) throw new McpToolError('MCP_BAD_ARGUMENTS', `address: ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

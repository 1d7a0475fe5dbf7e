import { createHash } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { Transport as McpTransport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Chain, PublicClient, Transport } from 'viem'
import type { LlmProvider } from '@hermit/llm'
import { verify, type PolicyInput, type Report } from '@hermit/txguard'
import { McpToolError } from '../errors.ts'
import { errorResult } from '../result.ts'
import { buildTransaction, type BuiltTransaction } from './build.ts'
import { mappingFor, type GuardConfig } from './config.ts'

export type McpGuardOptions = {
  /** The downstream stdio MCP server: started as a child, its tools listed unchanged. */
  downstream: { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  config: GuardConfig
  /** The chain the downstream writes to (read: decimals). */
  client: PublicClient<Transport, Chain>
  /** Where the built transaction is simulated (a fork); default `client`. */
  simulation?: PublicClient<Transport, Chain>
  beforeCheck?: () => Promise<void>
  provider?: LlmProvider
  policy?: PolicyInput
  /** Told of every check (for the operator's log on stderr). */
  onCheck?: (tool: string, tx: BuiltTransaction, report: Report) => void
}

export type McpGuard = { server: Server; downstream: Client; close(): Promise<void> }

/** The value that accepts this warning: tied to the exact call, so one acknowledgement cannot wave through another. */
export function acknowledgement(tool: string, args: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(args)
      .sort()
      .map((k) => [k, args[k]]),
  )
  return createHash('sha256').update(`${tool}\n${canonical}`).digest('hex').slice(0, 16)
}

const explain = (verdict: string, report: Report) =>
  report.reasons
    .filter((r) => r.severity !== 'info')
    .map((r) => `[${r.severity}] ${r.message}`)
    .join('\n') || `verdict ${verdict}`

function refusal(
  code: 'MCP_GUARD_BLOCKED' | 'MCP_GUARD_UNACKNOWLEDGED',
  message: string,
  extra: object,
): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ code, message, ...extra }) }] }
}

/**
 * `hermit mcp-guard`: an MCP server in front of another. Tools are listed as the downstream lists
 * them and calls are forwarded, except the calls that write to the chain (by tool name, see
 * config.ts): for those the guard builds the transaction the downstream would send, has txguard
 * check it on a fork, and answers a block with an isError result. A warning is forwarded only when
 * the caller repeats the call with `acknowledgeArgument` set to the value the warning gave.
 */
export async function startMcpGuard(
  options: McpGuardOptions,
  upstream: McpTransport = new StdioServerTransport(),
): Promise<McpGuard> {
  const downstream = new Client({ name: 'hermit-mcp-guard', version: '0.1.0' })
  await downstream.connect(
    new StdioClientTransport({
      command: options.downstream.command,
      args: options.downstream.args ?? [],
      // the downstream holds its own key in its environment; the guard passes it on without reading it
      env: { ...getDefaultEnvironment(), ...(process.env as Record<string, string>), ...options.downstream.env },
      ...(options.downstream.cwd ? { cwd: options.downstream.cwd } : {}),
      stderr: 'inherit',
    }),
  )
  const info = downstream.getServerVersion()
  const server = new Server(
    { name: `hermit-guard(${info?.name ?? 'downstream'})`, version: '0.1.0' },
    {
      capabilities: { tools: {} },
      instructions:
        `Tools of ${info?.name ?? 'the downstream server'}, behind Hermit: chain-writing calls are simulated and checked ` +
        `first. A blocked call is refused; a warned one needs the same call again with ${options.config.acknowledgeArgument} ` +
        'set to the value the warning gives, after the user agreed.',
    },
  )
  server.setRequestHandler(ListToolsRequestSchema, (request) => downstream.listTools(request.params))
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name } = request.params
    const { [options.config.acknowledgeArgument]: ack, ...args } = request.params.arguments ?? {}
    const mapping = mappingFor(options.config, name)
    const forward = async (): Promise<CallToolResult> => {
      try {
        return (await downstream.callTool({ ...request.params, arguments: args })) as CallToolResult
      } catch (cause) {
        return errorResult(
          new McpToolError('MCP_DOWNSTREAM_FAILED', `The downstream server did not answer ${name}.`, { cause }),
        )
      }
    }
    if (!mapping) return forward()
    let tx: BuiltTransaction
    let report: Report
    try {
      tx = await buildTransaction(mapping, args, { client: options.client, from: options.config.from })
      await options.beforeCheck?.()
      report = await verify(tx, {
        client: options.simulation ?? options.client,
        ...(options.provider ? { provider: options.provider } : {}),
        ...(options.policy ? { policy: options.policy } : {}),
      })
    } catch (error) {
      return errorResult(error) // cannot check it: not forwarded
    }
    options.onCheck?.(name, tx, report)
    const reasons = report.reasons.map(({ id, severity, message }) => ({ id, severity, message }))
    if (report.verdict === 'block')
      return refusal('MCP_GUARD_BLOCKED', `Hermit blocked ${name}: nothing was sent.\n${explain('block', report)}`, {
        verdict: 'block',
        reasons,
        hint: 'A blocked call is never forwarded, acknowledged or not.',
      })
    if (report.verdict === 'warn') {
      const expected = acknowledgement(name, args)
      if (ack !== expected)
        return refusal(
          'MCP_GUARD_UNACKNOWLEDGED',
          `Hermit warns about ${name}: not sent yet.\n${explain('warn', report)}`,
          {
            verdict: 'warn',
            reasons,
            acknowledge: { argument: options.config.acknowledgeArgument, value: expected },
            hint: `Show the user these reasons; if they agree, repeat the same call with ${options.config.acknowledgeArgument}: "${expected}".`,
          },
        )
    }
    return forward()
  })
  await server.connect(upstream)
  return {
    server,
    downstream,
    close: async () => {
      await server.close()
      await downstream.close()
    },
  }
}

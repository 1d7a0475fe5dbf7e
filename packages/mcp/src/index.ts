/**
 * @hermit/mcp: Hermit's abilities as MCP tools for agents (`createHermitMcpServer`, over stdio or
 * `startMcpHttp`), and `startMcpGuard`, a proxy that checks another MCP server's chain-writing
 * tool calls with txguard before they reach it.
 */
export { createHermitMcpServer, SERVER_INFO } from './server.ts'
export { startMcpHttp, type McpHttpOptions, type McpHttpServer } from './http.ts'
export { newState, type HermitMcpOptions, type McpState, type PaymentSource } from './context.ts'
export { PROPOSAL_TTL_MS } from './tools/propose.ts'
export { PAID_BODY_LIMIT } from './tools/pay.ts'
export { failure, type ToolFailure } from './result.ts'
export { McpToolError, MCP_ERROR_CODES, type McpErrorCode } from './errors.ts'
export { serveStdio } from './stdio.ts'
export { startMcpGuard, acknowledgement, type McpGuard, type McpGuardOptions } from './guard/proxy.ts'
export {
  BUILTIN_MAPPINGS,
  guardConfigSchema,
  mappingSchema,
  parseGuardConfig,
  readGuardConfig,
  mappingFor,
  type GuardConfig,
  type GuardConfigInput,
  type ToolMapping,
} from './guard/config.ts'
export { buildTransaction, type BuiltTransaction } from './guard/build.ts'

import { HermitError } from '@hermit/errors'

/** Every code an @hermit/mcp error can carry (the server answers them as `isError` results). */
export const MCP_ERROR_CODES = [
  'MCP_BAD_ARGUMENTS',
  'MCP_NOT_CONFIGURED',
  'MCP_NO_WALLET',
  'MCP_PROPOSAL_UNKNOWN',
  'MCP_PROPOSAL_NOT_SENDABLE',
  'MCP_UNAUTHORIZED',
  'MCP_HOST_REFUSED',
  'MCP_GUARD_BLOCKED',
  'MCP_GUARD_UNACKNOWLEDGED',
  'MCP_GUARD_CONFIG_INVALID',
  'MCP_GUARD_MAPPING_FAILED',
  'MCP_DOWNSTREAM_FAILED',
  'MCP_INTERNAL',
] as const
export type McpErrorCode = (typeof MCP_ERROR_CODES)[number]

export class McpToolError extends HermitError<McpErrorCode> {}

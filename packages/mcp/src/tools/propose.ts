import { randomUUID } from 'node:crypto'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Address } from 'viem'
import { z } from 'zod'
import { assertSendable, propose, sendProposal, type Proposal } from '@hermit/proposer'
import type { HermitMcpOptions, McpState } from '../context.ts'
import { McpToolError } from '../errors.ts'
import { errorResult, ok } from '../result.ts'
import { findingSchema, verdictSchema } from '../schemas.ts'

/** How long a proposal waits for its confirmation: past it the chain may have moved, so propose again. */
export const PROPOSAL_TTL_MS = 10 * 60_000

const summary = (id: string, p: Proposal) => ({
  id,
  verdict: p.verdict,
  described: p.reading.described,
  modelNote: p.reading.model.note,
  notes: p.notes,
  steps: p.steps.map((s) => ({
    meaning: s.meaning,
    to: s.call.to,
    value: s.call.value.toString(),
    data: s.call.data,
    gas: s.gas.toString(),
    verdict: s.report.verdict,
    changes: s.report.changes.map((c) => `${c.holderName}: ${c.formatted}`),
  })),
  reasons: p.reasons.map(({ id: rid, severity, message, step }) => ({ id: rid, severity, message, step })),
  sendable: p.verdict !== 'block',
})

export function registerProposeTool(server: McpServer, options: HermitMcpOptions, state: McpState): void {
  server.registerTool(
    'propose_transaction',
    {
      title: 'Propose, and on confirmation send, a transaction Hermit builds',
      description:
        'SIGNS AND SENDS only on the second call. First call (words): Hermit builds the plan from the words, simulates it on a fork ' +
        'and checks each step; nothing is signed; the result has an id. Second call (id, confirm: true): signs with the ' +
        "server's wallet and sends it. A blocked proposal can never be sent; a warned one is sent only with confirm: true " +
        'after its reasons were shown to the user.',
      inputSchema: {
        words: z.string().min(1).max(500).optional().describe('what to do, e.g. "send 0.1 ETH to bob" (first call)'),
        id: z.string().uuid().optional().describe("the proposal's id (second call)"),
        confirm: z.boolean().optional().describe('true: sign and send the proposal `id`'),
      },
      outputSchema: z.looseObject({
        id: z.string(),
        verdict: verdictSchema,
        sendable: z.boolean(),
        steps: z.array(z.looseObject({ meaning: z.string(), verdict: verdictSchema })),
        reasons: z.array(findingSchema),
        sent: z.array(z.looseObject({ hash: z.string(), status: z.string() })).optional(),
        differences: z.array(z.looseObject({})).optional(),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ words, id, confirm }) => {
      try {
        if (id !== undefined) return ok(await send(options, state, id, confirm === true))
        if (!words)
          throw new McpToolError('MCP_BAD_ARGUMENTS', 'Pass words to propose, or the id of a proposal to send.', {
            hint: 'First call: { words }. Second call: { id, confirm: true }.',
          })
        if (!options.protocols)
          throw new McpToolError('MCP_NOT_CONFIGURED', 'The server has no DeFi deployments to plan with.', {
            hint: 'Start `hermit mcp` with --deployments pointing at a file with the DeFi world (Uniswap, WETH).',
          })
        const user = options.wallet?.account.address
        if (!user)
          throw new McpToolError('MCP_NO_WALLET', 'The server has no wallet to propose for.', {
            hint: 'Set HERMIT_PRIVATE_KEY in the environment of `hermit mcp`.',
          })
        const proposal = await propose(words, {
          client: options.client,
          rpcUrl: options.rpcUrl,
          user,
          protocols: options.protocols,
          addressBook: { ...(options.policy?.addressBook as Record<string, Address>), ...options.addressBook },
          tokens: { ...(options.policy?.tokens as Record<string, Address>), ...options.tokens },
          ...(options.policy ? { policy: options.policy } : {}),
          ...(options.provider && options.provider.kind !== 'none' ? { provider: options.provider } : {}),
        })
        for (const step of proposal.steps)
          state.reports.unshift({ at: new Date().toISOString(), tool: 'propose_transaction', report: step.report })
        state.reports.length = Math.min(state.reports.length, options.reportsKept ?? 20)
        const newId = randomUUID()
        state.proposals.set(newId, { proposal, at: Date.now() })
        return ok(summary(newId, proposal))
      } catch (error) {
        return errorResult(error)
      }
    },
  )
}

async function send(options: HermitMcpOptions, state: McpState, id: string, confirm: boolean) {
  const held = state.proposals.get(id)
  if (!held || Date.now() - held.at > PROPOSAL_TTL_MS)
    throw new McpToolError('MCP_PROPOSAL_UNKNOWN', `There is no open proposal ${id}.`, {
      hint: 'Proposals are kept 10 minutes by the server that made them; propose again.',
    })
  const { proposal } = held
  if (!confirm)
    throw new McpToolError('MCP_PROPOSAL_NOT_SENDABLE', `Proposal ${id} is not sent without confirm: true.`, {
      hint: 'Show the user the plan and its reasons; call again with confirm: true only if they agree.',
    })
  assertSendable(proposal, true) // a block throws PROPOSER_BLOCKED, whatever the caller confirms
  const wallet = options.wallet
  if (!wallet) throw new McpToolError('MCP_NO_WALLET', 'The server has no wallet to sign with.')
  state.proposals.delete(id) // one send per proposal, even if this one fails half-way
  const result = await sendProposal(proposal, {
    client: options.client,
    account: wallet.account,
    journal: options.journal ?? join(homedir(), '.hermit', 'proposer-journal.json'),
    yes: true,
  })
  return {
    ...summary(id, proposal),
    sent: result.sent.map((s) => ({ hash: s.hash, status: s.status, gasUsed: s.gasUsed.toString() })),
    differences: result.differences,
  }
}

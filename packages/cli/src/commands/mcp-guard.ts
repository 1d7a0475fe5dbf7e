import type { Command } from 'commander'
import { z } from 'zod'
import { startDevnet } from '@hermit/devnet'
import { policySchema } from '@hermit/txguard'
import { parseArgs } from '../args.ts'
import { readJson } from '../files.ts'
import { CliError } from '../errors.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'
import { address, chainClient, rpc } from './chain.ts'

const guardSchema = z.strictObject({
  rpc,
  config: z.string().min(1).optional(),
  from: address.optional(),
  model: z.string().optional(),
  policy: z.string().optional(),
  json: z.boolean().optional(),
})

export function registerMcpGuard(program: Command, _output: () => Output): void {
  program
    .command('mcp-guard')
    .description(
      "an MCP proxy in front of another wallet's stdio MCP server: lists its tools unchanged, forwards calls, but first " +
        'simulates and checks every chain-writing call (built-in: evm-mcp-server transfer_native, transfer_erc20, ' +
        'approve_token_spending, write_contract) and refuses a block; a warning needs the call repeated with its acknowledgement',
    )
    .argument('<command...>', 'the downstream server, after --, e.g. -- npx @mcpdotdirect/evm-mcp-server')
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain the downstream writes to (a local fork of it simulates)')
    .option('--config <file>', 'JSON { from, tools: { name: mapping }, builtins, acknowledgeArgument }')
    .option('--from <address>', "the downstream wallet's address (instead of the config's from)")
    .option('--model <spec>', 'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf> (default $HERMIT_MODEL)')
    .option('--policy <file>', 'JSON policy (txguard): address book, token list, outflow limits')
    .action(async (command: string[], raw: Record<string, unknown>) => {
      // loaded here, not with the CLI: every other command starts without the MCP SDK
      const { parseGuardConfig, readGuardConfig, startMcpGuard } = await import('@hermit/mcp')
      const o = parseArgs(guardSchema, raw, 'mcp-guard')
      const base = o.config ? readGuardConfig(o.config) : undefined
      if (!base && !o.from)
        throw new CliError('CLI_BAD_ARGUMENT', 'mcp-guard: whose transactions? Pass --from or a --config with from.', {
          hint: "The downstream wallet's address: the guard checks its transactions without ever holding its key.",
        })
      const config = parseGuardConfig({ ...(base ?? {}), ...(o.from ? { from: o.from } : {}) })
      // a missing policy file is 74 and a broken one 65, as for every command (not a raw ENOENT or SyntaxError: 70)
      const policy = o.policy ? readJson(o.policy, policySchema, 'Policy') : undefined
      const client = await chainClient(o.rpc)
      const provider = modelFromSpec(o.model)
      const fork = await startDevnet({ fork: { url: o.rpc }, deploy: false })
      const [cmd, ...args] = command
      try {
        // stdout is the MCP channel to the caller; the log of checks goes to stderr
        const guard = await startMcpGuard({
          downstream: { command: cmd!, args },
          config,
          client,
          simulation: fork.publicClient,
          beforeCheck: () => fork.testClient.reset({ jsonRpcUrl: o.rpc }),
          provider,
          ...(policy ? { policy } : {}),
          onCheck: (tool, tx, report) =>
            process.stderr.write(
              `hermit mcp-guard: ${tool} → ${tx.to}: ${report.verdict}${report.reasons[0] ? ` (${report.reasons[0].message})` : ''}\n`,
            ),
        })
        process.stderr.write(`hermit mcp-guard: guarding ${command.join(' ')} for ${config.from}\n`)
        const keepAlive = setInterval(() => {}, 2 ** 30)
        await new Promise<void>((r) => {
          process.once('SIGINT', () => r())
          process.once('SIGTERM', () => r())
          process.stdin.once('end', () => r())
          guard.server.onclose = () => r()
        })
        clearInterval(keepAlive)
        await guard.close()
      } finally {
        await fork.stop()
      }
    })
}

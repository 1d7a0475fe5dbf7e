import { Command, CommanderError } from 'commander'
import { createOutput, type Output } from './output.ts'
import { exitCodeFor } from './exit.ts'
import { CliArgumentError, withCliHint } from './errors.ts'
import { registerDevnet } from './commands/devnet.ts'
import { registerDeployments } from './commands/deployments.ts'
import { registerGuard, registerVerify } from './commands/verify.ts'
import { registerPropose } from './commands/propose.ts'
import { registerKeys } from './commands/keys.ts'
import { registerUi } from './commands/ui.ts'
import { registerPay } from './commands/pay.ts'
import { registerGateway } from './commands/gateway.ts'
import { registerJobs } from './commands/jobs.ts'
import { registerAgents } from './commands/agents.ts'
import { registerMcp } from './commands/mcp.ts'
import { registerTrust } from './commands/trust.ts'

export function buildProgram(): { program: Command; output: () => Output; exitCode: () => number } {
  let exit = 0
  const program = new Command('hermit')
  let current: Output | undefined
  const output = () => (current ??= createOutput(Boolean(program.opts().json)))
  program
    .description(
      "Hermit: don't trust, verify — a local-model transaction checker, anonymous ZK-paid API calls, ERC-8004 agents and ERC-8183 jobs",
    )
    .version('0.1.0')
    .option('--json', 'machine-readable JSON on stdout (errors too)')
    .enablePositionalOptions(false)
    .showHelpAfterError()
    .exitOverride()
  // `--json` may come before or after the command name
  program.hook('preAction', (_root, action) => {
    if (action.opts().json) current = createOutput(true)
  })
  registerDevnet(program, output)
  registerDeployments(program, output)
  registerVerify(program, output, (code) => (exit = code))
  registerGuard(program, output)
  registerPropose(program, output, (code) => (exit = code))
  registerKeys(program, output)
  registerUi(program, output)
  registerPay(program, output)
  registerGateway(program, output)
  registerJobs(program, output)
  registerAgents(program, output)
  registerMcp(program, output) // hermit mcp and hermit mcp-guard
  registerTrust(program, output)
  for (const command of program.commands) {
    if (!command.options.some((o) => o.long === '--json'))
      command.option('--json', 'machine-readable JSON on stdout (errors too)')
    command.exitOverride()
    for (const sub of command.commands) sub.exitOverride()
  }
  return { program, output, exitCode: () => exit }
}

/** Runs the CLI and returns the exit status (it never calls process.exit itself). */
export async function run(argv: string[]): Promise<number> {
  const { program, output, exitCode } = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode()
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander printed it for people on stderr; under --json stdout still gets one error object
      if (error.exitCode !== 0 && argv.includes('--json')) createOutput(true).error(usageError(error, argv))
      return exitCodeFor(error)
    }
    output().error(withCliHint(error))
    return exitCodeFor(error)
  }
}

/** A commander usage error (unknown option or command, missing argument) as the CLI's own CLI_BAD_ARGUMENT. */
function usageError(error: CommanderError, argv: string[]): CliArgumentError {
  const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2)
  const known = buildProgram().program.commands.find((c) => c.name() === words[0])
  const sub = known?.commands.find((c) => c.name() === words[1])
  const command = ['hermit', ...(known ? [known.name()] : []), ...(sub ? [sub.name()] : [])].join(' ')
  return new CliArgumentError('CLI_BAD_ARGUMENT', error.message.replace(/^error: /, ''), {
    hint: `See \`${command} --help\`.`,
    details: { commander: error.code },
  })
}

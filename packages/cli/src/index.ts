/**
 * @hermit/cli: the `hermit` binary, a thin edge over the packages. It parses arguments with zod,
 * reads secrets only from the environment, prints a report or `--json`, and maps every package's
 * error code to a sysexits status (checked by the compiler in exit.ts).
 */
export { run, buildProgram } from './program.ts'
export { ExitCode, exitCodeFor } from './exit.ts'

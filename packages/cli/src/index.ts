export { run, buildProgram } from './program.ts'
export { ExitCode, exitCodeFor } from './exit.ts'

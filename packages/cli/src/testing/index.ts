/** For the CLI tests: run the real `hermit` binary in a child process. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const HERMIT_BIN = fileURLToPath(new URL('../../bin/hermit.js', import.meta.url))

export type HermitRun = { code: number | null; stdout: string; stderr: string }

export function runHermit(
  args: string[],
  o: { stdin?: string; env?: Record<string, string> } = {},
): Promise<HermitRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HERMIT_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(o.stdin ?? '')
  })
}

/** A long-running `hermit` (devnet, guard): everything it prints is kept until it is stopped. */
export type HermitProcess = {
  readonly pid: number
  /** Resolves with its stdout so far once that matches `pattern`; rejects if it exits first or after `timeoutMs`. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Sends `signal` (default SIGINT) and resolves, once it has exited, with its status (or the signal that ended it) and all it printed. */
  stop(signal?: NodeJS.Signals): Promise<HermitRun & { signal: NodeJS.Signals | null }>
}

export function startHermit(args: string[], o: { env?: Record<string, string> } = {}): HermitProcess {
  const child = spawn(process.execPath, [HERMIT_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout.on('data', (c) => {
    stdout += c
    for (const w of waiters) w()
  })
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<HermitRun & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal, stdout, stderr })
      for (const w of waiters) w()
    }),
  )
  let done = false
  void exited.then(() => (done = true))
  return {
    pid: child.pid!,
    waitForStdout(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(`hermit ${args.join(' ')}: no ${pattern} on stdout within ${timeoutMs} ms\n${stdout}${stderr}`),
          )
        }, timeoutMs)
        const check = () => {
          if (pattern.test(stdout)) {
            clearTimeout(timer)
            waiters.delete(check)
            resolve(stdout)
          } else if (done || child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer)
            waiters.delete(check)
            reject(
              new Error(`hermit ${args.join(' ')} exited (${child.exitCode}) before ${pattern}\n${stdout}${stderr}`),
            )
          }
        }
        waiters.add(check)
        check()
      })
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

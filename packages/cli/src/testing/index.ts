/** For the CLI tests: run the real `hermit` binary in a child process. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const HERMIT_BIN = fileURLToPath(new URL('../../bin/hermit.js', import.meta.url))

export function runHermit(
  args: string[],
  o: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
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

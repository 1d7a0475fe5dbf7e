// `--json` is always JSON: through the README's own invocation (`pnpm -s hermit …`), on success and
// on every kind of failure — commander's usage errors included — stdout is exactly one JSON
// document, and the exit status is the README's. One process per case; one devnet for the file.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { TicketStore, ZkIdentity, saveKeystore } from '@hermit/zkpay'
import { ExitCode } from './exit.ts'
import { runHermit, type HermitRun } from './testing/index.ts'

const net = useDevnet()
const repo = fileURLToPath(new URL('../../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'hermit-json-'))
const PASSWORD = 'json test password, long enough'

/** The README's invocation, word for word: `npx -y pnpm@10.34.9 -s hermit …` at the clone's root. */
function readmeHermit(args: string[]): Promise<HermitRun> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['-y', 'pnpm@10.34.9', '-s', 'hermit', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** stdout is one JSON document and nothing else (JSON.parse throws on a banner or a second line). */
const onlyJson = (r: HermitRun, what: string) => {
  expect(r.stdout.trim().split('\n'), `${what}: ${r.stdout}${r.stderr}`).toHaveLength(1)
  return JSON.parse(r.stdout) as { error?: { code: string; message: string; hint?: string } } & Record<string, unknown>
}

const expectError = (r: HermitRun, what: string, status: number, code: string) => {
  const body = onlyJson(r, what)
  expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(status)
  expect(body.error, what).toMatchObject({ code, message: expect.any(String), hint: expect.any(String) })
  return body.error!
}

describe('--json is always JSON', () => {
  it('through `pnpm -s hermit`, as the README shows it: one JSON document on stdout, on success and on error', async () => {
    const file = join(dir, 'deployments.json')
    writeDeployments(file, net().deployments)
    const [ok, missing] = await Promise.all([
      readmeHermit(['deployments', '-f', file, '--json']),
      readmeHermit(['deployments', '-f', join(dir, 'missing.json'), '--json']),
    ])
    expect(ok.code, ok.stderr).toBe(ExitCode.ok)
    expect(onlyJson(ok, 'deployments')).toMatchObject({ chainId: net().chainId })
    expectError(missing, 'deployments of a missing file', ExitCode.ioError, 'DEVNET_DEPLOYMENTS_UNREADABLE')
  }, 120_000)

  it('usage errors (unknown option or command, a missing option or argument, a bad value), ' +
    '--json before or after the command: CLI_BAD_ARGUMENT, 64', async () => {
    const cases: Array<[string, string[], RegExp, RegExp]> = [
      ['unknown option', ['deployments', '--bogus', '--json'], /unknown option '--bogus'/, /hermit deployments --help/],
      ['unknown command', ['--json', 'frobnicate'], /unknown command 'frobnicate'/, /hermit --help/],
      ['missing option', ['pay', 'init', '--json'], /--keystore/, /hermit pay init --help/],
      ['missing argument', ['jobs', 'show', '--rpc', net().rpcUrl, '--json'], /jobId/, /hermit jobs show --help/],
      ['bad value', ['devnet', '--port', 'abc', '--json'], /--port: expected a port number/, /hermit devnet --help/],
    ]
    const runs = await Promise.all(cases.map(([, args]) => runHermit(args)))
    cases.forEach(([what, , message, hint], i) => {
      const error = expectError(runs[i]!, what, ExitCode.usage, 'CLI_BAD_ARGUMENT')
      expect(error.message, what).toMatch(message)
      expect(error.hint, what).toMatch(hint)
    })
  }, 120_000)

  it('exit statuses of the README table, as JSON: 74 a missing tickets file, 65 a keystore that is not the deposit’s, ' +
    '69 an unreachable paid endpoint and a busy guard port', async () => {
    const keystore = join(dir, 'id.json')
    saveKeystore(keystore, ZkIdentity.random(), PASSWORD)
    const tickets = (name: string, leaf?: string) =>
      TicketStore.create(join(dir, name), {
        pool: `0x${'11'.repeat(20)}`,
        chainId: net().chainId,
        leafIndex: 0,
        tickets: 1,
        secretNonce: '7',
        ...(leaf ? { leaf } : {}),
      }).path
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const busy = createServer()
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
    const busyPort = (busy.address() as AddressInfo).port
    const env = { env: { HERMIT_KEYSTORE_PASSWORD: PASSWORD } }
    const fetchArgs = (url: string, ticketsFile: string) => [
      'pay',
      'fetch',
      url,
      '--rpc',
      net().rpcUrl,
      '-k',
      keystore,
      '-t',
      ticketsFile,
      '--json',
    ]
    try {
      const [missing, wrong, unreachable, port] = await Promise.all([
        runHermit(fetchArgs('http://127.0.0.1:1/x', join(dir, 'no-such-tickets.json')), env),
        runHermit(fetchArgs('http://127.0.0.1:1/x', tickets('wrong.json', '12345')), env),
        runHermit(fetchArgs(`http://127.0.0.1:${closedPort}/paid`, tickets('unreached.json')), env),
        runHermit(['guard', '--upstream', net().rpcUrl, '-p', String(busyPort), '--json']),
      ])
      expectError(missing, 'pay fetch, no tickets file', ExitCode.ioError, 'ZKPAY_TICKETS_UNREADABLE')
      const mismatch = expectError(
        wrong,
        'pay fetch, another keystore',
        ExitCode.dataError,
        'ZKPAY_TICKETS_WRONG_IDENTITY',
      )
      expect(mismatch.hint).toMatch(/-k/)
      const down = expectError(unreachable, 'pay fetch, nothing listening', ExitCode.unavailable, 'CLI_UNREACHABLE')
      expect(down.message).toContain(`127.0.0.1:${closedPort}`)
      const inUse = expectError(port, 'guard on a busy port', ExitCode.unavailable, 'CLI_PORT_IN_USE')
      expect(inUse.hint).toMatch(/-p\/--port/)
    } finally {
      await new Promise<void>((r) => busy.close(() => r()))
    }
  }, 180_000)
})

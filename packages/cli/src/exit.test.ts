// Exit statuses 70 (internal) and 74 (I/O), and a --pool that is not a pool (65, not 70). These run
// the CLI's own `run()` in this process (what bin.ts calls): the statuses and output are the same,
// without the 4–5 s of a binary start each.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { ZkIdentity, saveKeystore } from '@hermit/zkpay'
import { AgentError } from '@hermit/agents'
import { ExitCode, exitCodeFor } from './exit.ts'
import { createOutput } from './output.ts'
import { run } from './program.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-exit-'))

/** `hermit <args>` in this process: its status and what it wrote. */
async function hermit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true))
  try {
    return { code: await run(args), stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

afterEach(() => {
  delete process.env.HERMIT_KEYSTORE_PASSWORD
})

describe('exit statuses', () => {
  it('1: a warn verdict (hermit verify of a call no ABI or selector decodes, a blind call) exits 1, with the warning in the report', async () => {
    const d = net()
    const request = join(dir, 'blind-call.json')
    // calldata nothing decodes, to an account without code: it succeeds in the simulation and moves nothing
    writeFileSync(
      request,
      JSON.stringify({
        chainId: d.publicClient.chain.id,
        from: d.accounts[9]!.address,
        to: d.accounts[2]!.address,
        value: '0',
        data: '0x8badf00d0000000000000000000000000000000000000000000000000000000000000001',
      }),
    )
    const r = await hermit(['verify', '--rpc', d.rpcUrl, '--model', 'none', '--json', request])
    expect(r.code, r.stdout + r.stderr).toBe(ExitCode.warn)
    const report = JSON.parse(r.stdout) as { verdict: string; reasons: { id: string; severity: string }[] }
    expect(report.verdict).toBe('warn')
    expect(report.reasons).toContainEqual(expect.objectContaining({ id: 'decode.unknown-function', severity: 'warn' }))
  })

  it('74: a file that cannot be read is an I/O error (deployments file, keystore), also as JSON', async () => {
    const missing = join(dir, 'no-such-folder', 'deployments.json')
    const human = await hermit(['deployments', '-f', missing])
    expect(human.code, human.stderr).toBe(ExitCode.ioError)
    expect(human.stderr).toMatch(/^error: Cannot read deployments file/)
    const json = await hermit(['deployments', '-f', missing, '--json'])
    expect(json.code).toBe(74)
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'DEVNET_DEPLOYMENTS_UNREADABLE' } })

    process.env.HERMIT_KEYSTORE_PASSWORD = 'a long enough password'
    const keystore = await hermit([
      'pay',
      'deposit',
      ...['--rpc', 'http://127.0.0.1:9', '--pool', `0x${'11'.repeat(20)}`, '-n', '1'],
      ...['-k', join(dir, 'no-such-keystore.json'), '-t', join(dir, 'tickets-74.json'), '--json'],
    ])
    expect(keystore.code, keystore.stdout).toBe(ExitCode.ioError)
    expect(JSON.parse(keystore.stdout)).toMatchObject({ error: { code: 'ZKPAY_KEYSTORE_UNREADABLE' } })
  })

  it('70: an error the CLI does not expect (not a Hermit error, or a Hermit code with no status of its own) is internal, and --json calls it INTERNAL', () => {
    expect(exitCodeFor(new TypeError('x is undefined'))).toBe(ExitCode.internal)
    expect(exitCodeFor(new AgentError('AGENTS_NO_EVENT', 'createJob emitted no JobCreated event.'))).toBe(70)
    let written = ''
    createOutput(true, { write: (c: string) => ((written += c), true) } as unknown as typeof process.stdout).error(
      new TypeError('x is undefined'),
    )
    expect(JSON.parse(written)).toEqual({ error: { name: 'Error', code: 'INTERNAL', message: 'x is undefined' } })
  })

  it('a --pool that is not a CreditPool (an account, or another contract) exits 65 with CLI_NOT_A_POOL, not 70', async () => {
    const d = net()
    const keystore = join(dir, 'id.json')
    saveKeystore(keystore, ZkIdentity.random(), 'a long enough password')
    process.env.HERMIT_KEYSTORE_PASSWORD = 'a long enough password'
    const deposit = (pool: string, tickets: string) =>
      hermit([
        'pay',
        'deposit',
        ...['--rpc', d.rpcUrl, '--pool', pool, '-n', '1', '-k', keystore, '-t', join(dir, tickets), '--json'],
      ])
    const account = await deposit(d.accounts[5]!.address, 't1.json')
    expect(account.code, account.stdout).toBe(ExitCode.dataError)
    expect(JSON.parse(account.stdout)).toMatchObject({
      error: { code: 'CLI_NOT_A_POOL', message: expect.stringMatching(/there is no contract at that address/) },
    })
    const token = await deposit(d.deployments.contracts.DevToken!.address, 't2.json')
    expect(token.code, token.stdout).toBe(ExitCode.dataError)
    expect(JSON.parse(token.stdout)).toMatchObject({
      error: { code: 'CLI_NOT_A_POOL', message: expect.stringMatching(/does not answer as one/) },
    })
  })
})

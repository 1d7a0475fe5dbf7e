import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { createPublicClient, http } from 'viem'
import type { Command } from 'commander'
import { ExitCode } from './exit.ts'
import { buildProgram } from './program.ts'
import { HERMIT_BIN as bin, runHermit } from './testing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-cli-'))

const hermit = (args: string[]) => runHermit(args)

/** Every command under `command` (itself first), with the words that invoke it: [], ['devnet'], ['pay', 'init']… */
function commandsOf(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return [{ words, command }, ...command.commands.flatMap((c) => commandsOf(c, [...words, c.name()]))]
}

/** Runs `fn` on every item, `width` at a time (each is a child process; the machine has 2 cores). */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn))
}

describe('hermit CLI', () => {
  it('every command commander knows, nested ones included, answers --help with status 0, its usage line and its description', async () => {
    const all = commandsOf(buildProgram().program)
    const names = all.map((c) => c.words.join(' '))
    // the walk reaches the nested commands (a walk of the top level only would pass on too little)
    expect(names).toEqual(
      expect.arrayContaining(['', 'devnet', 'verify', 'guard', 'pay init', 'pay fetch', 'jobs refund', 'agents find']),
    )
    expect(new Set(names).size).toBe(names.length)
    await inBatches(all, 2, async ({ words, command }) => {
      const name = ['hermit', ...words].join(' ')
      const r = await hermit([...words, '--help'])
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(ExitCode.ok)
      expect(r.stderr, `${name} --help`).toBe('')
      expect(r.stdout, `${name} --help`).toMatch(new RegExp(`^Usage: ${name} \\[options\\]`, 'm'))
      expect(command.description(), `${name} has no description`).not.toBe('')
      expect(r.stdout.replace(/\s+/g, ' '), `${name} --help`).toContain(command.description().replace(/\s+/g, ' '))
    })
  }, 600_000)

  it('bad arguments exit with the usage status and name the flag', async () => {
    const r = await hermit(['devnet', '--port', 'abc'])
    expect(r.code).toBe(ExitCode.usage)
    expect(r.stderr).toContain('--port: expected a port number')
    const unknown = await hermit(['frobnicate'])
    expect(unknown.code).toBe(ExitCode.usage)
  })

  it('a deployments file that does not parse is a data error, also as JSON', async () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ schema: 'hermit-deployments/v1', chainId: -1 }))
    const r = await hermit(['deployments', '--file', file, '--json'])
    expect(r.code).toBe(ExitCode.dataError)
    const body = JSON.parse(r.stdout)
    expect(body.error.code).toBe('DEVNET_DEPLOYMENTS_INVALID')
    expect(body.error.message).toContain('chainId')
  })

  it('`hermit devnet` runs a devnet, writes its deployments, and stops on SIGINT', async () => {
    const out = join(dir, 'deployments.json')
    const child = spawn(process.execPath, [bin, 'devnet', '--port', '0', '--out', out, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve)
      void exited.then((code) => reject(new Error(`hermit devnet exited early (${code})`)))
    })
    const started = JSON.parse(line)
    expect(started.deploymentsFile).toBe(out)
    expect(existsSync(out)).toBe(true)
    expect(started.contracts.DevToken.address).toMatch(/^0x[0-9a-fA-F]{40}$/)

    const client = createPublicClient({ transport: http(started.rpcUrl) })
    expect(await client.getChainId()).toBe(31337)
    const check = await hermit(['deployments', '--file', out, '--check', '--json'])
    expect(check.code).toBe(ExitCode.ok)
    expect(JSON.parse(check.stdout).check.missingCode).toEqual([])

    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(existsSync(out)).toBe(false)
    expect(() => process.kill(started.pid, 0)).toThrow()
  })
})

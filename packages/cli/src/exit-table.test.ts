// The README's exit-status table ("## CLI"), row by row: the test reads the table from README.md
// and, for each status, runs a command that ends with it (a scenario per status: a row without a
// scenario, or a scenario without a row, fails). Every error code the table names as an example is
// checked against exit.ts. The commands run in this process through `run()`, what bin.ts calls.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { encodeFunctionData, erc20Abi, maxUint256 } from 'viem'
import { writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { HermitError } from '@hermit/errors'
import { ExitCode, exitCodeFor } from './exit.ts'
import type { HermitRun } from './testing/index.ts'
import { hermitInProcess } from './testing/in-process.ts'

// 70 is a bug: one is put into `hermit trust` (its library throws what no one expects), on demand
const bug = vi.hoisted(() => ({ on: false }))
vi.mock('@hermit/trust', async (importOriginal) => {
  const real = await importOriginal<typeof import('@hermit/trust')>()
  return {
    ...real,
    checkTrust: (...args: Parameters<typeof real.checkTrust>) =>
      bug.on
        ? Promise.reject(new TypeError("Cannot read properties of undefined (reading 'owner')"))
        : real.checkTrust(...args),
  }
})

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-exit-table-'))
const README = fileURLToPath(new URL('../../../README.md', import.meta.url))

type Row = { status: number; meaning: string; examples: string }

/** The rows of the `| status | meaning | examples (code) |` table in the README's "## CLI" section. */
function readmeTable(): Row[] {
  const text = readFileSync(README, 'utf8')
  const section = text.slice(text.indexOf('\n## CLI\n'), text.indexOf('\n## ', text.indexOf('\n## CLI\n') + 1))
  const lines = section.split('\n')
  const header = lines.findIndex((l) => /^\|\s*status\s*\|\s*meaning\s*\|\s*examples \(code\)\s*\|$/.test(l))
  expect(header, 'the exit-status table in README "## CLI"').toBeGreaterThan(-1)
  const rows: Row[] = []
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break
    const [status, meaning, examples] = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim())
    rows.push({ status: Number(status), meaning: meaning!, examples: examples! })
  }
  return rows
}

/** Error codes in backticks (`CLI_NOT_A_POOL`); reason ids (`approval.to-eoa`) are not codes. */
const codesIn = (text: string) => [...text.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!)

const json = (r: HermitRun) => JSON.parse(r.stdout) as { verdict?: string; error?: { code: string } }

/** A transaction request to check with `hermit verify`, in a file. */
function request(data: `0x${string}`, to: `0x${string}`): string {
  const d = net()
  const file = join(dir, `request-${Math.random()}.json`)
  writeFileSync(file, JSON.stringify({ chainId: d.chainId, from: d.accounts[9]!.address, to, value: '0', data }))
  return file
}

const deployments = () => {
  const file = join(dir, `deployments-${Math.random()}.json`)
  writeDeployments(file, net().deployments)
  return file
}

/** One command per status, ending with it; what its output must show. */
const scenarios: Record<number, { what: string; run: () => Promise<HermitRun>; shows: (r: HermitRun) => void }> = {
  0: {
    what: 'hermit deployments of the devnet’s file',
    run: () => hermitInProcess(['deployments', '-f', deployments(), '--json']),
    shows: (r) => expect(JSON.parse(r.stdout)).toMatchObject({ chainId: net().chainId }),
  },
  1: {
    what: 'hermit verify of a call no ABI or selector decodes, to an account (warn)',
    run: () =>
      hermitInProcess([
        ...['verify', '--rpc', net().rpcUrl, '--json'],
        request(
          '0x8badf00d0000000000000000000000000000000000000000000000000000000000000001',
          net().accounts[2]!.address,
        ),
      ]),
    shows: (r) => expect(json(r).verdict).toBe('warn'),
  },
  2: {
    what: 'hermit verify of an unlimited approval of the devnet token to an account (block)',
    run: () =>
      hermitInProcess([
        ...['verify', '--rpc', net().rpcUrl, '--json'],
        request(
          encodeFunctionData({
            abi: erc20Abi,
            functionName: 'approve',
            args: [net().accounts[7]!.address, maxUint256],
          }),
          net().deployments.contracts.DevToken!.address,
        ),
      ]),
    shows: (r) => expect(json(r).verdict).toBe('block'),
  },
  64: {
    what: 'an unknown option',
    run: () => hermitInProcess(['deployments', '--bogus', '--json']),
    shows: (r) => expect(json(r).error?.code).toBe('CLI_BAD_ARGUMENT'),
  },
  65: {
    what: 'a deployments file that does not parse',
    run: () => {
      const file = join(dir, 'not-json.json')
      writeFileSync(file, '{ not json')
      return hermitInProcess(['deployments', '-f', file, '--json'])
    },
    shows: (r) => expect(json(r).error?.code).toBe('DEVNET_DEPLOYMENTS_NOT_JSON'),
  },
  69: {
    what: 'an RPC where nothing answers',
    run: () => hermitInProcess(['trust', net().accounts[1]!.address, '--rpc', 'http://127.0.0.1:1', '--json']),
    shows: (r) => expect(json(r).error?.code).toBe('CLI_RPC_UNREACHABLE'),
  },
  70: {
    what: 'a bug: hermit trust whose library throws a TypeError',
    run: async () => {
      bug.on = true
      try {
        return await hermitInProcess(['trust', net().accounts[1]!.address, '--rpc', net().rpcUrl, '--json'])
      } finally {
        bug.on = false
      }
    },
    shows: (r) => expect(json(r).error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/owner/) }),
  },
  74: {
    what: 'a deployments file that is not there',
    run: () => hermitInProcess(['deployments', '-f', join(dir, 'no-such-folder', 'd.json'), '--json']),
    shows: (r) => expect(json(r).error?.code).toBe('DEVNET_DEPLOYMENTS_UNREADABLE'),
  },
}

describe('the README’s exit-status table', () => {
  it('has one row per status the CLI uses (exit.ts), and each row a scenario here', () => {
    const statuses = readmeTable().map((r) => r.status)
    expect(statuses).toEqual([...new Set(statuses)])
    expect([...statuses].sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b))
    expect(
      Object.keys(scenarios)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...statuses].sort((a, b) => a - b))
  })

  it('every error code a row names as an example exits with that row’s status', () => {
    const named = readmeTable().flatMap((r) => codesIn(r.examples).map((code) => ({ code, status: r.status })))
    expect(named.length).toBeGreaterThan(10)
    for (const { code, status } of named) expect(exitCodeFor(new HermitError(code, 'x')), code).toBe(status)
  })

  for (const row of readmeTable()) {
    it(`exit ${row.status}: ${scenarios[row.status]?.what ?? 'no scenario'}`, async () => {
      const scenario = scenarios[row.status]
      expect(scenario, `a scenario for status ${row.status}`).toBeDefined()
      const r = await scenario!.run()
      expect(r.code, r.stdout + r.stderr).toBe(row.status)
      scenario!.shows(r)
    })
  }
})

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startAnvil } from './anvil.ts'
import { startDevnet } from './devnet.ts'
import { readDeployments, writeDeployments, type Deployments } from './deployments.ts'
import {
  AnvilNotFoundError,
  DeploymentsFileError,
  DevnetError,
  ForkError,
  PortInUseError,
  redactUrl,
} from './errors.ts'

describe('clear errors for bad input', () => {
  it('anvil binary missing, with the install hint', async () => {
    const err = await startDevnet({ anvilPath: '/nonexistent/anvil' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AnvilNotFoundError)
    expect((err as AnvilNotFoundError).code).toBe('DEVNET_ANVIL_NOT_FOUND')
    expect((err as AnvilNotFoundError).hint).toContain('@foundry-rs/anvil')
  })

  it('port in use', async () => {
    const first = await startAnvil()
    try {
      const err = await startAnvil({ port: first.port }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(PortInUseError)
      expect((err as PortInUseError).message).toContain(String(first.port))
    } finally {
      await first.stop()
    }
  })

  it('unknown fork URL', async () => {
    const err = await startDevnet({ fork: { url: 'http://127.0.0.1:1' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ForkError)
    expect((err as ForkError).code).toBe('DEVNET_FORK_FAILED')
    expect((err as ForkError).message).toMatch(/refused/i)
  })

  it('fork block that does not exist', async () => {
    const upstream = await startAnvil()
    try {
      const err = await startDevnet({ fork: { url: upstream.rpcUrl, blockNumber: 99_999n } }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ForkError)
      expect((err as ForkError).message).toMatch(/99999/)
    } finally {
      await upstream.stop()
    }
  })

  it('bad options are named', async () => {
    const err = await startDevnet({ port: 70_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DevnetError)
    expect((err as DevnetError).message).toMatch(/port/)
    await expect(startDevnet({ fork: { url: 'not a url' } })).rejects.toThrow(/fork\.url/)
    await expect(startDevnet({ pruneHistory: 0 })).rejects.toThrow(/pruneHistory/)
  })

  it('redacts API keys from fork URLs', () => {
    expect(redactUrl('https://eth.example.org/v2/SECRETKEY')).toBe('https://eth.example.org/…')
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
  })

  describe('deployments files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-deployments-'))
    const good: Deployments = {
      schema: 'hermit-deployments/v1',
      chainId: 31337,
      rpcUrl: 'http://127.0.0.1:8545',
      accounts: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
      contracts: {
        DevToken: {
          address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
          txHash: `0x${'ab'.repeat(32)}`,
          blockNumber: 1n,
          gasUsed: 978_047n,
        },
      },
    }

    it('round-trips through an atomic write', () => {
      const path = join(dir, 'ok.json')
      writeDeployments(path, good)
      expect(readDeployments(path)).toEqual(good)
    })

    it('a file that is not JSON', () => {
      const path = join(dir, 'broken.json')
      writeFileSync(path, '{ "schema": ')
      expect(() => readDeployments(path)).toThrow(DeploymentsFileError)
      expect(() => readDeployments(path)).toThrow(/not valid JSON/)
    })

    it('a file whose field is wrong names the field', () => {
      const path = join(dir, 'bad-field.json')
      const bad = JSON.parse(JSON.stringify(good, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
      bad.contracts.DevToken.address = '0x1234'
      writeFileSync(path, JSON.stringify(bad))
      expect(() => readDeployments(path)).toThrow(/contracts\.DevToken\.address/)
    })

    it('a missing file', () => {
      expect(() => readDeployments(join(dir, 'nope.json'))).toThrow(/Cannot read deployments file/)
    })
  })
})

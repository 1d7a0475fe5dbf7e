// KNOWN_REGISTRIES claims to be the official ERC-8004 deployments: checked against the official
// repository's own address list (registry-addresses.json, kept verbatim with its commit in
// ./testing/third_party/erc-8004-contracts/SOURCES.json), not against addresses typed in twice.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { KNOWN_REGISTRIES } from './index.ts'

const dir = fileURLToPath(new URL('./testing/third_party/erc-8004-contracts/', import.meta.url))
const text = readFileSync(`${dir}registry-addresses.json`, 'utf8')
const record = (
  JSON.parse(readFileSync(`${dir}SOURCES.json`, 'utf8')) as {
    files: Record<string, { repository: string; path: string; commit: string | null; chars: number; sha256: string }>
  }
).files['registry-addresses.json']!
type Kind = 'identity' | 'reputation' | 'validation'
const official = (JSON.parse(text) as { registries: Record<Kind, Record<string, string>> }).registries

/** The official address of `kind` on EVM chain `chainId`, or undefined while it is not deployed ("<pending_review>"). */
const officialOn = (kind: Kind, chainId: number): string | undefined => {
  const a = official[kind][`eip155:${chainId}`]
  return a && /^0x[0-9a-fA-F]{40}$/.test(a) ? a : undefined
}
const evmChains = (kind: Kind) =>
  Object.keys(official[kind])
    .filter((k) => k.startsWith('eip155:') && officialOn(kind, Number(k.slice(7))))
    .map((k) => Number(k.slice(7)))
    .sort((a, b) => a - b)

describe('KNOWN_REGISTRIES are the official ERC-8004 deployments', () => {
  it('keeps the official registry-addresses.json verbatim, as SOURCES.json records it (commit and hash)', () => {
    expect(record).toMatchObject({ repository: 'erc-8004/erc-8004-contracts', path: 'registry-addresses.json' })
    expect(record.commit).toMatch(/^[0-9a-f]{40}$/)
    expect({ chars: text.length, sha256: createHash('sha256').update(text).digest('hex') }).toEqual({
      chars: record.chars,
      sha256: record.sha256,
    })
  })

  it(
    'on every chain the official list names (Ethereum, Base, Sepolia, Base Sepolia), identity ' +
      'and reputation are the official addresses, checksummed; no other chain is listed',
    () => {
      const chains = Object.keys(KNOWN_REGISTRIES)
        .map(Number)
        .sort((a, b) => a - b)
      expect(chains).toEqual(evmChains('identity'))
      expect(chains).toEqual(evmChains('reputation'))
      expect(chains).toEqual([1, 8453, 84532, 11155111])
      for (const chainId of chains) {
        const ours = KNOWN_REGISTRIES[chainId]!
        expect({ chainId, identity: ours.identity, reputation: ours.reputation }).toEqual({
          chainId,
          identity: officialOn('identity', chainId),
          reputation: officialOn('reputation', chainId),
        })
        expect(getAddress(ours.identity)).toBe(ours.identity)
        expect(getAddress(ours.reputation)).toBe(ours.reputation)
        // a validation registry is listed only where it is the official one
        if (ours.validation) expect(ours.validation).toBe(officialOn('validation', chainId))
      }
    },
  )
})

/**
 * Reading the ERC-8004 files other tools write (agent0, explorers, the draft spec): `endpoints`,
 * `x402support` / `x402Support: {enabled}`, `supportedTrusts`, `agentId: null` before minting; a
 * feedback value that int128 cannot hold; and the optional /.well-known/agent-registration.json
 * domain proof, served by a local HTTP server. Hermit itself keeps writing the current form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import {
  Erc8004FileError,
  REGISTRATION_TYPE,
  fetchJson,
  getAgent,
  parseFeedbackFile,
  parseRegistrationFile,
  registerAgent,
  verifyDomainProofs,
} from './index.ts'
import { clientFor, fileServer } from './testing/index.ts'

const net = useDevnet()
const base = { type: REGISTRATION_TYPE, name: 'Legacy agent', description: 'Written by another tool.' } as const

describe('registration files other tools write', () => {
  it('reads `endpoints` (the draft name) as services when `services` is missing', () => {
    const file = parseRegistrationFile({
      ...base,
      endpoints: [{ name: 'A2A', endpoint: 'https://a.example/a2a', version: '0.3.0' }],
    })
    expect(file.services).toEqual([{ name: 'A2A', endpoint: 'https://a.example/a2a', version: '0.3.0' }])
    expect(file).not.toHaveProperty('endpoints')
    // with both, `services` wins
    const both = parseRegistrationFile({
      ...base,
      services: [{ name: 'MCP', endpoint: 'https://m.example' }],
      endpoints: [{ name: 'old', endpoint: 'x' }],
    })
    expect(both.services.map((s) => s.name)).toEqual(['MCP'])
  })

  it('reads `x402support` in lower case and `x402Support: {enabled}` as the boolean x402Support', () => {
    expect(parseRegistrationFile({ ...base, x402support: true }).x402Support).toBe(true)
    expect(parseRegistrationFile({ ...base, x402Support: { enabled: false } }).x402Support).toBe(false)
    expect(parseRegistrationFile({ ...base, x402Support: { enabled: true } })).not.toHaveProperty('x402support')
  })

  it('reads `supportedTrusts` as supportedTrust', () => {
    const file = parseRegistrationFile({ ...base, supportedTrusts: ['reputation', 'crypto-economic'] })
    expect(file.supportedTrust).toEqual(['reputation', 'crypto-economic'])
    expect(file).not.toHaveProperty('supportedTrusts')
  })

  it('registerAgent takes a file with agentId null (written before minting) and writes the current form with the minted id', async () => {
    const c = clientFor(net(), 1)
    const registry = `eip155:${net().chainId}:${c.registries.identity}`
    const { agentId, agentURI } = await registerAgent(c, {
      registration: {
        ...base,
        endpoints: [{ name: 'A2A', endpoint: 'https://a.example/a2a' }],
        x402support: true,
        supportedTrusts: ['reputation'],
        registrations: [{ agentId: null, agentRegistry: registry }],
      } as never,
    })
    const { json } = await fetchJson(agentURI)
    expect(json).toMatchObject({
      services: [{ name: 'A2A', endpoint: 'https://a.example/a2a' }],
      x402Support: true,
      supportedTrust: ['reputation'],
      registrations: [{ agentId: Number(agentId), agentRegistry: registry }],
    })
    expect(Object.keys(json as object)).not.toEqual(expect.arrayContaining(['endpoints']))
    expect(Object.keys(json as object).some((k) => ['x402support', 'supportedTrusts'].includes(k))).toBe(false)
  })
})

describe('feedback files', () => {
  const feedback = (value: string) => ({
    agentRegistry: 'eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3',
    agentId: 1,
    clientAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    createdAt: '2026-01-01T00:00:00Z',
    value,
    valueDecimals: 0,
  })

  it('a value int128 can hold is read; one past either end is refused, naming the field', () => {
    expect(parseFeedbackFile(feedback((2n ** 127n - 1n).toString())).value).toBe(2n ** 127n - 1n)
    expect(parseFeedbackFile(feedback((-(2n ** 127n)).toString())).value).toBe(-(2n ** 127n))
    for (const v of [2n ** 127n, -(2n ** 127n) - 1n]) {
      expect(() => parseFeedbackFile(feedback(v.toString()))).toThrow(Erc8004FileError)
      expect(() => parseFeedbackFile(feedback(v.toString()))).toThrow(/field value: outside int128/)
    }
  })
})

describe('the /.well-known/agent-registration.json domain proof', () => {
  const routes: Parameters<typeof fileServer>[0] = {}
  let server: Awaited<ReturnType<typeof fileServer>>
  beforeAll(async () => {
    server = await fileServer(routes)
  })
  afterAll(() => server?.close())

  it("is verified when the endpoint's domain lists this agent, and only when asked", async () => {
    const c = clientFor(net(), 2)
    const registry = `eip155:${net().chainId}:${c.registries.identity}`
    const { agentId } = await registerAgent(c, {
      registration: { ...base, services: [{ name: 'A2A', endpoint: `${server.url}/a2a` }] },
    })
    routes['/.well-known/agent-registration.json'] = {
      body: JSON.stringify({ registrations: [{ agentId: Number(agentId), agentRegistry: registry }] }),
    }
    expect((await getAgent(c, agentId)).domainProofs).toBeUndefined()
    const info = await getAgent(c, agentId, { verifyDomain: true })
    expect(info.domainProofs).toEqual([
      { origin: server.url, url: `${server.url}/.well-known/agent-registration.json`, verified: true, reason: null },
    ])
  })

  it('is not verified when the domain lists another agent, or has no file', async () => {
    const registry = 'eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3'
    const file = parseRegistrationFile({ ...base, services: [{ name: 'A2A', endpoint: `${server.url}/a2a` }] })
    routes['/.well-known/agent-registration.json'] = {
      body: JSON.stringify({ registrations: [{ agentId: 7, agentRegistry: registry }] }),
    }
    const [other] = await verifyDomainProofs(file, { agentId: 8n, agentRegistry: registry })
    expect(other).toMatchObject({ verified: false, reason: `no registration of agent 8 on ${registry}` })
    delete routes['/.well-known/agent-registration.json']
    const [missing] = await verifyDomainProofs(file, { agentId: 7n, agentRegistry: registry })
    expect(missing!.verified).toBe(false)
    expect(missing!.reason).toMatch(/404/)
  })
})

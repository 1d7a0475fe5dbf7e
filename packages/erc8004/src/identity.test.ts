import { ContractRevertError } from '@hermit/chain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { identityRegistryAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { toHex } from 'viem'
import {
  REGISTRATION_TYPE,
  AgentUriError,
  Erc8004FileError,
  fetchJson,
  fetchUri,
  findAgents,
  getAgent,
  getAgentWallet,
  getMetadata,
  parseRegistrationFile,
  registerAgent,
  setAgentURI,
  setAgentWallet,
  setMetadata,
  toDataUri,
  unsetAgentWallet,
  updateRegistration,
  watchRegistrations,
  type RegistrationFileInput,
} from './index.ts'
import { clientFor, fileServer } from './testing/index.ts'

const net = useDevnet()

const summarizer: RegistrationFileInput = {
  type: REGISTRATION_TYPE,
  name: 'Summarizer',
  description: 'Summarizes documents.',
  services: [
    { name: 'hermit-job', endpoint: 'http://127.0.0.1:9/jobs', version: '1', skills: ['summarize', 'translate'] },
  ],
  x402Support: true,
  active: true,
  supportedTrust: ['reputation'],
}

describe('identity registry bindings', () => {
  it('registers with a registration file that names its own agentId', async () => {
    const c = clientFor(net(), 1)
    const { agentId, receipts } = await registerAgent(c, { registration: summarizer })
    expect(agentId).toBe(0n)
    expect(receipts).toHaveLength(2)
    const agent = await getAgent(c, agentId)
    expect(agent.owner).toBe(net().accounts[1]!.address)
    expect(agent.agentWallet).toBe(net().accounts[1]!.address)
    expect(agent.registration?.name).toBe('Summarizer')
    expect(agent.registration?.registrations).toEqual([
      { agentId: 0, agentRegistry: `eip155:31337:${c.registries.identity}` },
    ])
  })

  it('registers bare, with a URI, and with metadata', async () => {
    const c = clientFor(net(), 2)
    const bare = await registerAgent(c)
    const withUri = await registerAgent(c, { agentURI: 'ipfs://bafy/agent.json' })
    const withMeta = await registerAgent(c, {
      agentURI: 'https://agent.example/reg.json',
      metadata: [{ key: 'price', value: toHex('0.01 dUSD') }],
    })
    expect([bare.agentId, withUri.agentId, withMeta.agentId]).toEqual([0n, 1n, 2n])
    expect(await getMetadata(c, 2n, 'price')).toBe(toHex('0.01 dUSD'))
    expect((await getAgent(c, 0n)).registrationError).toBe('no agentURI set')
    await setMetadata(c, 2n, 'price', toHex('0.02 dUSD'))
    expect(await getMetadata(c, 2n, 'price')).toBe(toHex('0.02 dUSD'))
  })

  it('refuses updates from anyone but the owner, with the registry reason', async () => {
    const owner = clientFor(net(), 1)
    const stranger = clientFor(net(), 3)
    const { agentId } = await registerAgent(owner, { agentURI: 'ipfs://x' })
    const err = await setAgentURI(stranger, agentId, 'ipfs://evil').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContractRevertError)
    expect((err as ContractRevertError).reason).toBe('Not authorized')
    await expect(setMetadata(owner, agentId, 'agentWallet', '0x00')).rejects.toThrow(/reserved key/)
    await expect(getAgent(owner, 99n)).rejects.toThrow(/ERC721NonexistentToken/)
  })

  it('checks registration files and names the bad field', async () => {
    const c = clientFor(net(), 1)
    const bad = { ...summarizer, services: [{ name: 'x' }] } as unknown as RegistrationFileInput
    await expect(registerAgent(c, { registration: bad })).rejects.toThrow(/services\[0\]\.endpoint/)
    expect(() => parseRegistrationFile({ ...summarizer, type: 'nope' })).toThrow(Erc8004FileError)
    const { agentId } = await registerAgent(c, { agentURI: toDataUri({ name: 'no type' }) })
    expect((await getAgent(c, agentId)).registrationError).toMatch(/field type/)
  })

  it('moves the wallet only with the new wallet signature, and clears it on transfer', async () => {
    const devnet = net()
    const owner = clientFor(devnet, 1)
    const { agentId } = await registerAgent(owner, { registration: summarizer })
    const hot = devnet.accounts[5]!
    await setAgentWallet(owner, agentId, { wallet: hot })
    expect(await getAgentWallet(owner, agentId)).toBe(hot.address)
    // a signature by someone else for that wallet does not pass
    const now = (await devnet.publicClient.getBlock()).timestamp
    await expect(
      setAgentWallet(owner, agentId, {
        wallet: devnet.accounts[6]!.address,
        signature: `0x${'11'.repeat(65)}`,
        deadline: now + 60n,
      }),
    ).rejects.toThrow(/invalid wallet sig|ECDSA/)
    await expect(setAgentWallet(owner, agentId, { wallet: hot, deadline: now + 3600n })).rejects.toThrow(
      /deadline too far/,
    )
    await unsetAgentWallet(owner, agentId)
    expect(await getAgentWallet(owner, agentId)).toBeNull()
    await setAgentWallet(owner, agentId, { wallet: hot })
    const wallet = owner.walletClient!
    await devnet.publicClient.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: owner.registries.identity,
        abi: identityRegistryAbi,
        functionName: 'transferFrom',
        args: [wallet.account.address, devnet.accounts[4]!.address, agentId],
      }),
    })
    const after = await getAgent(owner, agentId, { resolve: false })
    expect(after.owner).toBe(devnet.accounts[4]!.address)
    expect(after.agentWallet).toBeNull()
  })

  it('finds agents by service, skill and active flag from Registered events', async () => {
    const a = clientFor(net(), 1)
    const b = clientFor(net(), 2)
    await registerAgent(a, { registration: summarizer })
    await registerAgent(b, {
      registration: {
        ...summarizer,
        name: 'Translator',
        services: [{ name: 'MCP', endpoint: 'https://mcp.example', skills: ['translate'] }],
      },
    })
    await registerAgent(b, { registration: { ...summarizer, name: 'Retired', active: false } })
    await registerAgent(b, { agentURI: 'data:application/json;base64,bm90IGpzb24=' })
    const names = async (f: Parameters<typeof findAgents>[1]) =>
      (await findAgents(a, f, { pageSize: 2n })).agents.map((x) => x.registration?.name ?? `#${x.agentId}`)
    expect(await names({ skill: 'summarize', active: true })).toEqual(['Summarizer'])
    expect(await names({ skill: 'translate' })).toEqual(['Summarizer', 'Translator', 'Retired'])
    expect(await names({ service: 'mcp' })).toEqual(['Translator'])
    expect(await names({ owner: net().accounts[2]!.address })).toEqual(['Translator', 'Retired', '#3'])
    const { skipped } = await findAgents(a, { skill: 'summarize' })
    expect(skipped).toEqual([{ agentId: 3n, reason: expect.stringMatching(/not JSON/) }])
  })

  it('watches new registrations', async () => {
    const c = clientFor(net(), 1)
    const seen: bigint[] = []
    const got = new Promise<void>((resolve) => {
      const stop = watchRegistrations({ ...c, publicClient: c.publicClient }, (id) => {
        seen.push(id)
        stop()
        resolve()
      })
    })
    await registerAgent(c, { agentURI: 'ipfs://watched' })
    await got
    expect(seen).toEqual([0n])
  })

  it('updates the registration file', async () => {
    const c = clientFor(net(), 1)
    const { agentId } = await registerAgent(c, { registration: summarizer })
    await updateRegistration(c, agentId, { ...summarizer, description: 'Now faster.' })
    expect((await getAgent(c, agentId)).registration?.description).toBe('Now faster.')
  })
})

describe('agentURI resolution', () => {
  let files: Awaited<ReturnType<typeof fileServer>>
  beforeAll(async () => {
    files = await fileServer({
      '/reg.json': { body: JSON.stringify(summarizer) },
      '/ipfs/bafyTest/reg.json': { body: JSON.stringify({ ...summarizer, name: 'From IPFS' }) },
      '/big.json': { body: Buffer.alloc(300_000, 32) },
      '/slow.json': { body: '', hang: true },
      '/gone.json': { body: '', status: 410 },
    })
  })
  afterAll(() => files.close())

  it('resolves data:, http(s) and ipfs:// through a gateway', async () => {
    expect((await fetchJson(toDataUri({ a: 1 }))).json).toEqual({ a: 1 })
    expect((await fetchJson('data:application/json,%7B%22b%22%3A2%7D')).json).toEqual({ b: 2 })
    expect(((await fetchJson(`${files.url}/reg.json`)).json as { name: string }).name).toBe('Summarizer')
    expect(
      ((await fetchJson('ipfs://bafyTest/reg.json', { ipfsGateway: files.url })).json as { name: string }).name,
    ).toBe('From IPFS')
  })

  it('enforces size limits, timeouts and schemes', async () => {
    await expect(fetchUri(`${files.url}/big.json`)).rejects.toThrow(/larger than/)
    await expect(fetchUri(`${files.url}/big.json`, { maxBytes: 400_000 })).resolves.toHaveLength(300_000)
    await expect(fetchUri(`${files.url}/slow.json`, { timeoutMs: 100 })).rejects.toThrow(/no answer in 100 ms/)
    await expect(fetchUri(`${files.url}/gone.json`)).rejects.toThrow(/HTTP 410/)
    await expect(fetchUri('http://agent.example/reg.json')).rejects.toBeInstanceOf(AgentUriError)
    await expect(fetchUri('file:///etc/passwd')).rejects.toThrow(/Unsupported URI scheme/)
    await expect(fetchUri(toDataUri({ x: 'y'.repeat(100) }), { maxBytes: 50 })).rejects.toThrow(/larger than/)
  })
})

describe('registry metadata', () => {
  it('versions, linked identity registry, and the authorization check', async () => {
    const { registryVersions, checkRegistries, isAuthorizedOrOwner } = await import('./index.ts')
    const c = clientFor(net(), 1)
    expect(await registryVersions(c)).toEqual({ identity: '2.0.0', reputation: '2.0.0', validation: '2.0.0' })
    await expect(checkRegistries(c)).resolves.toBeUndefined()
    await expect(
      checkRegistries({ ...c, registries: { ...c.registries, identity: c.registries.reputation } }),
    ).rejects.toThrow(/points at identity registry/)
    const { agentId } = await registerAgent(c)
    expect(await isAuthorizedOrOwner(c, net().accounts[1]!.address, agentId)).toBe(true)
    expect(await isAuthorizedOrOwner(c, net().accounts[2]!.address, agentId)).toBe(false)
  })
})

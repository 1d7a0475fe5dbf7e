import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { callTool, connectInMemory, devnetMcpOptions } from './testing/index.ts'
import { newState } from './context.ts'
import { deployTrustShapes } from '@hermit/trust/testing'

const net = useDevnet({ world: 'defi' })
const bob = () => net().accounts[2]!.address
const user = () => net().accounts[1]!.address

describe('hermit MCP server: tools over the SDK client', () => {
  it('lists every tool with input and output schemas and annotations; the tools that sign say so', async () => {
    const client = await connectInMemory(devnetMcpOptions(net()))
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'agent_reputation',
        'balances',
        'check_contract_trust',
        'find_agents',
        'hire_agent',
        'job_status',
        'paid_fetch',
        'propose_transaction',
        'reclaim_expired_job',
        'verify_signature',
        'verify_transaction',
      ].sort(),
    )
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object')
      expect(t.outputSchema?.type).toBe('object')
      expect(typeof t.annotations?.readOnlyHint).toBe('boolean')
      expect(typeof t.annotations?.destructiveHint).toBe('boolean')
    }
    const signing = tools.filter((t) => /SIGNS AND SENDS/.test(t.description ?? '')).map((t) => t.name)
    expect(signing.sort()).toEqual(['hire_agent', 'propose_transaction', 'reclaim_expired_job'])
    for (const t of tools.filter((t) => signing.includes(t.name))) {
      expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    }
    expect(tools.find((t) => t.name === 'verify_transaction')!.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    })
  })

  it('verify_transaction: a send within the words is allowed; over the outflow limit it is blocked, with the reason', async () => {
    const client = await connectInMemory(
      devnetMcpOptions(net(), 1, {
        addressBook: { bob: bob() },
        policy: { outflowLimits: { native: parseEther('1').toString() } },
      }),
    )
    const tx = { from: user(), to: bob(), value: parseEther('0.2').toString() }
    const fine = await callTool(client, 'verify_transaction', { ...tx, intent: 'send 0.2 ETH to bob' })
    expect(fine.isError).toBe(false)
    expect(fine.structured.verdict).toBe('allow')
    const big = await callTool(client, 'verify_transaction', { ...tx, value: parseEther('5').toString() })
    expect(big.structured.verdict).toBe('block')
    expect(JSON.stringify(big.structured.reasons)).toMatch(/limit/i)
  })

  it('verify_signature: an unlimited EIP-2612 permit to a stranger is not allowed', async () => {
    const client = await connectInMemory(devnetMcpOptions(net()))
    const token = devnetMcpOptions(net()).tokens!.USDC!
    const typedData = {
      domain: { name: 'USD Coin', version: '2', chainId: net().chainId, verifyingContract: token },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: {
        owner: user(),
        spender: net().accounts[7]!.address,
        value: (2n ** 256n - 1n).toString(),
        nonce: '0',
        deadline: '99999999999',
      },
    }
    const r = await callTool(client, 'verify_signature', { from: user(), typedData })
    expect(r.isError).toBe(false)
    expect(['warn', 'block']).toContain(r.structured.verdict)
  })

  it('a malformed request is an isError result carrying the txguard code and a hint', async () => {
    const client = await connectInMemory(devnetMcpOptions(net()))
    const r = await callTool(client, 'verify_transaction', { from: 'not an address' })
    expect(r.isError).toBe(true)
    expect(r.structured.code).toBe('TXGUARD_REQUEST_INVALID')
    expect(r.structured.message).toMatch(/from/)
  })

  it('propose_transaction: a dry run sends nothing; the id with confirm: true sends it once, as simulated', async () => {
    const client = await connectInMemory(devnetMcpOptions(net(), 1, { addressBook: { bob: bob() } }))
    const before = await net().publicClient.getBalance({ address: bob() })
    const nonce = await net().publicClient.getTransactionCount({ address: user() })
    const p = await callTool(client, 'propose_transaction', { words: 'send 0.5 ETH to bob' })
    expect(p.structured).toMatchObject({ verdict: 'allow', sendable: true })
    expect(await net().publicClient.getTransactionCount({ address: user() })).toBe(nonce)
    const unconfirmed = await callTool(client, 'propose_transaction', { id: p.structured.id })
    expect(unconfirmed.structured.code).toBe('MCP_PROPOSAL_NOT_SENDABLE')
    const sent = await callTool(client, 'propose_transaction', { id: p.structured.id, confirm: true })
    expect(sent.isError).toBe(false)
    expect((sent.structured.sent as Array<{ status: string }>).map((s) => s.status)).toEqual(['success'])
    expect(sent.structured.differences).toEqual([])
    expect((await net().publicClient.getBalance({ address: bob() })) - before).toBe(parseEther('0.5'))
    const again = await callTool(client, 'propose_transaction', { id: p.structured.id, confirm: true })
    expect(again.structured.code).toBe('MCP_PROPOSAL_UNKNOWN')
  })

  it('propose_transaction: a blocked proposal cannot be confirmed: PROPOSER_BLOCKED, nothing signed', async () => {
    const client = await connectInMemory(
      devnetMcpOptions(net(), 1, {
        addressBook: { bob: bob() },
        policy: { outflowLimits: { native: parseEther('0.1').toString() } },
      }),
    )
    const p = await callTool(client, 'propose_transaction', { words: 'send 0.5 ETH to bob' })
    expect(p.structured).toMatchObject({ verdict: 'block', sendable: false })
    const nonce = await net().publicClient.getTransactionCount({ address: user() })
    const confirm = await callTool(client, 'propose_transaction', { id: p.structured.id, confirm: true })
    expect(confirm.isError).toBe(true)
    expect(confirm.structured.code).toBe('PROPOSER_BLOCKED')
    expect(confirm.structured.hint).toMatch(/never be sent/)
    expect(await net().publicClient.getTransactionCount({ address: user() })).toBe(nonce)
  })

  it('balances: native and each token of the token list', async () => {
    const client = await connectInMemory(devnetMcpOptions(net()))
    const r = await callTool(client, 'balances', {})
    expect(r.structured.address).toBe(user())
    const native = r.structured.native as { wei: string }
    expect(BigInt(native.wei)).toBe(await net().publicClient.getBalance({ address: user() }))
    const symbols = (r.structured.tokens as Array<{ symbol: string; decimals: number | null }>).map((t) => t.symbol)
    expect(symbols).toEqual(expect.arrayContaining(['USDC', 'DAI']))
  })

  it('resources: deployments, token list, address book and the recent reports (newest first)', async () => {
    const state = newState()
    const client = await connectInMemory(devnetMcpOptions(net(), 1, { addressBook: { bob: bob() } }), state)
    const { resources } = await client.listResources()
    expect(resources.map((r) => r.uri).sort()).toEqual(
      ['hermit://address-book', 'hermit://deployments', 'hermit://reports/recent', 'hermit://tokens'].sort(),
    )
    const read = async (uri: string) =>
      JSON.parse(((await client.readResource({ uri })).contents[0] as { text: string }).text) as unknown
    await expect(read('hermit://address-book')).resolves.toEqual({ bob: bob() })
    expect(await read('hermit://tokens')).toHaveProperty('USDC')
    expect(await read('hermit://deployments')).toMatchObject({ chainId: net().chainId })
    await callTool(client, 'verify_transaction', { from: user(), to: bob(), value: '1' })
    const reports = (await read('hermit://reports/recent')) as Array<{ tool: string; report: { verdict: string } }>
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ tool: 'verify_transaction', report: { verdict: 'allow' } })
  })

  it('check_contract_trust: one EOA behind a transparent proxy can upgrade instantly; behind a 2-of-3 Safe it cannot', async () => {
    const shapes = await deployTrustShapes(net())
    const client = await connectInMemory(devnetMcpOptions(net()))
    const eoa = await callTool(client, 'check_contract_trust', { address: shapes.transparentEoa })
    expect(eoa.structured).toMatchObject({ proxy: { kind: 'eip1967-transparent' }, instantSingleKeyUpgrade: true })
    expect(eoa.text).toMatch(/one EOA|one key/i)
    const safe = await callTool(client, 'check_contract_trust', { address: shapes.transparentSafe })
    expect(safe.structured.instantSingleKeyUpgrade).toBe(false)
    const bad = await callTool(client, 'check_contract_trust', { address: 'nope' })
    expect(bad.structured.code).toBe('TRUST_BAD_ADDRESS')
  })
})

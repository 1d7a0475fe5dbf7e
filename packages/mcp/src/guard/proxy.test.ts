import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { erc20Abi, parseEther, parseUnits, toHex, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { callTool, walletServerCommand } from '../testing/index.ts'
import { parseGuardConfig } from './config.ts'
import { acknowledgement, startMcpGuard, type McpGuard } from './proxy.ts'

const net = useDevnet()
const wallet = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
const thief = () => net().accounts[7]!.address
const token = () => net().deployments.contracts.DevToken!.address
const escrow = () => net().deployments.contracts.AgenticCommerce!.address

let guard: McpGuard
let client: Client

beforeAll(async () => {
  const key = toHex(wallet().getHdKey().privateKey!)
  const [a, b] = InMemoryTransport.createLinkedPair()
  guard = await startMcpGuard(
    {
      downstream: walletServerCommand(net().rpcUrl, key),
      config: parseGuardConfig({ from: wallet().address }),
      client: net().publicClient,
      policy: { addressBook: { bob: bob() } },
    },
    a,
  )
  client = new Client({ name: 'guard-test', version: '0' })
  await client.connect(b)
}, 60_000)
afterAll(async () => {
  await client?.close()
  await guard?.close()
})

const allowance = (spender: Address) =>
  net().publicClient.readContract({
    address: token(),
    abi: erc20Abi,
    functionName: 'allowance',
    args: [wallet().address, spender],
  })

async function mint(amount: bigint) {
  const hash = await net().walletClient.writeContract({
    address: token(),
    abi: devTokenAbi,
    functionName: 'mint',
    args: [wallet().address, amount],
  })
  await net().publicClient.waitForTransactionReceipt({ hash })
}

describe('hermit mcp-guard in front of a stdio wallet server', () => {
  it("lists the downstream's tools unchanged", async () => {
    const listed = (await client.listTools()).tools
    expect(listed).toEqual((await guard.downstream.listTools()).tools)
    expect(listed.map((t) => t.name).sort()).toEqual(
      ['approve_token_spending', 'get_balance', 'transfer_erc20', 'transfer_native', 'write_contract'].sort(),
    )
  })

  it('refuses a drainer: an approval to a plain account is blocked and never reaches the wallet', async () => {
    await mint(parseUnits('100', 6))
    const nonce = await net().publicClient.getTransactionCount({ address: wallet().address })
    const r = await callTool(client, 'approve_token_spending', {
      tokenAddress: token(),
      spenderAddress: thief(),
      amount: '1000000',
    })
    expect(r.isError).toBe(true)
    expect(r.structured.code).toBe('MCP_GUARD_BLOCKED')
    expect(r.text).toMatch(/plain account/)
    expect(await allowance(thief())).toBe(0n)
    expect(await net().publicClient.getTransactionCount({ address: wallet().address })).toBe(nonce)
    // acknowledging does not help a block
    const again = await callTool(client, 'approve_token_spending', {
      tokenAddress: token(),
      spenderAddress: thief(),
      amount: '1000000',
      hermit_acknowledge: acknowledgement('approve_token_spending', {
        tokenAddress: token(),
        spenderAddress: thief(),
        amount: '1000000',
      }),
    })
    expect(again.structured.code).toBe('MCP_GUARD_BLOCKED')
  })

  it('passes a benign transfer to a known recipient: the downstream sends it', async () => {
    const before = await net().publicClient.getBalance({ address: bob() })
    const r = await callTool(client, 'transfer_native', { to: bob(), amount: '0.25' })
    expect(r.isError).toBe(false)
    expect(JSON.parse(r.text)).toMatchObject({ status: 'success' })
    expect((await net().publicClient.getBalance({ address: bob() })) - before).toBe(parseEther('0.25'))
  })

  it('a warning needs the same call again with its acknowledgement value; another value is refused', async () => {
    await mint(parseUnits('10', 6))
    const args = { tokenAddress: token(), spenderAddress: escrow(), amount: '50' } // more than the 10 held
    const first = await callTool(client, 'approve_token_spending', args)
    expect(first.structured).toMatchObject({ code: 'MCP_GUARD_UNACKNOWLEDGED', verdict: 'warn' })
    const ack = first.structured.acknowledge as { argument: string; value: string }
    expect(ack.argument).toBe('hermit_acknowledge')
    const wrong = await callTool(client, 'approve_token_spending', {
      ...args,
      amount: '5000',
      hermit_acknowledge: ack.value,
    })
    expect(wrong.isError).toBe(true)
    expect(await allowance(escrow())).toBe(0n)
    const ok = await callTool(client, 'approve_token_spending', { ...args, hermit_acknowledge: ack.value })
    expect(ok.isError).toBe(false)
    expect(await allowance(escrow())).toBe(parseUnits('50', 6))
  })

  it('a write_contract without its ABI cannot be checked, so it is not forwarded', async () => {
    const nonce = await net().publicClient.getTransactionCount({ address: wallet().address })
    const r = await callTool(client, 'write_contract', {
      contractAddress: token(),
      functionName: 'approve',
      args: [thief(), '1'],
    })
    expect(r.structured.code).toBe('MCP_GUARD_MAPPING_FAILED')
    expect(await net().publicClient.getTransactionCount({ address: wallet().address })).toBe(nonce)
  })

  it('a write_contract with its ABI is built and checked like any transaction: a drainer approve is blocked', async () => {
    const r = await callTool(client, 'write_contract', {
      contractAddress: token(),
      functionName: 'approve',
      args: [thief(), (2n ** 256n - 1n).toString()],
      abiJson: JSON.stringify(erc20Abi),
    })
    expect(r.structured.code).toBe('MCP_GUARD_BLOCKED')
    expect(await allowance(thief())).toBe(0n)
  })

  it('a read-only tool is forwarded unchecked', async () => {
    const r = await callTool(client, 'get_balance', { address: bob() })
    expect(BigInt(r.text)).toBe(await net().publicClient.getBalance({ address: bob() }))
  })

  it('the config is zod-checked: a mapping with an unknown kind is refused with its path', () => {
    expect(() => parseGuardConfig({ from: wallet().address, tools: { pay: { kind: 'teleport' } } })).toThrow(
      expect.objectContaining({ code: 'MCP_GUARD_CONFIG_INVALID', message: expect.stringMatching(/tools\.pay/) }),
    )
  })
})

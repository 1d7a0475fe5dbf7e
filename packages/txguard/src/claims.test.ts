// README claims of txguard not covered by the per-rule tests: a received token whose resale the node
// cannot simulate is a warning (`token.sell-unchecked`), never silently taken as sellable; and a
// check never sends anything.
import { createPublicClient, custom, erc20Abi, isAddressEqual } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { formatReport, verify, type VerifyOptions } from './index.ts'
import { deployTestbed, type Testbed } from './testing/index.ts'

const net = useDevnet()
let bed: Testbed

beforeAll(async () => {
  bed = await deployTestbed(net())
})

/** The devnet as a node that does not serve `eth_simulateV1` (as many RPCs do not), and how often it was asked. */
function nodeWithoutSimulate() {
  const d = net()
  const asked = { simulate: 0 }
  const client = createPublicClient({
    chain: d.publicClient.chain,
    transport: custom({
      async request({ method, params }) {
        if (method === 'eth_simulateV1') {
          asked.simulate++
          throw Object.assign(new Error('the method eth_simulateV1 does not exist/is not available'), { code: -32601 })
        }
        return d.publicClient.request({ method, params } as Parameters<typeof d.publicClient.request>[0])
      },
    }),
  })
  return { client, asked }
}

const verifyOn = (client: NonNullable<VerifyOptions['client']>, name: string) => {
  const s = bed.scenarios[name]!
  return verify(s.request, { client, policy: bed.policy, origin: s.origin, ...(s.intent ? { intent: s.intent } : {}) })
}

describe('token.sell-unchecked: a received token whose resale cannot be simulated warns', () => {
  it('benign swap on a node without eth_simulateV1: warns token.sell-unchecked for the token received; with it, allows', async () => {
    const plain = await verifyOn(net().publicClient, 'benign-swap')
    expect(plain.verdict, formatReport(plain)).toBe('allow')
    expect(plain.reasons.map((r) => r.id)).not.toContain('token.sell-unchecked')

    const { client, asked } = nodeWithoutSimulate()
    const report = await verifyOn(client, 'benign-swap')
    expect(asked.simulate).toBeGreaterThan(0)
    const unchecked = report.reasons.filter((r) => r.id === 'token.sell-unchecked')
    expect(unchecked, formatReport(report)).toHaveLength(1)
    expect(unchecked[0]!.severity).toBe('warn')
    expect(isAddressEqual(unchecked[0]!.evidence!.token as `0x${string}`, bed.tokens.WETH)).toBe(true)
    expect(report.verdict).toBe('warn')
  })

  it('a honeypot on a node without eth_simulateV1 is not taken as sellable: it warns token.sell-unchecked', async () => {
    const { client } = nodeWithoutSimulate()
    const report = await verifyOn(client, 'honeypot')
    const unchecked = report.reasons.filter((r) => r.id === 'token.sell-unchecked')
    expect(unchecked, formatReport(report)).toHaveLength(1)
    expect(isAddressEqual(unchecked[0]!.evidence!.token as `0x${string}`, bed.tokens.honeypot)).toBe(true)
    expect(report.verdict).not.toBe('allow')
  })
})

describe('simulation only: nothing is ever sent', () => {
  it('verify() of a benign swap and of a drainer leaves the chain as it was: same block, nonce, balances, allowance, and no pending transaction', async () => {
    const d = net()
    const user = bed.user.address
    const router = bed.contracts.router
    const state = async () => ({
      block: await d.publicClient.getBlockNumber(),
      nonce: await d.publicClient.getTransactionCount({ address: user, blockTag: 'pending' }),
      eth: await d.publicClient.getBalance({ address: user }),
      dUSD: await d.publicClient.readContract({
        address: bed.tokens.dUSD,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user],
      }),
      dWETH: await d.publicClient.readContract({
        address: bed.tokens.dWETH,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user],
      }),
      allowance: await d.publicClient.readContract({
        address: bed.tokens.dUSD,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [user, bed.attacker],
      }),
      routerAllowance: await d.publicClient.readContract({
        address: bed.tokens.dUSD,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [user, router],
      }),
      pending: (
        await d.publicClient.request<{ Parameters: []; ReturnType: { pending: Record<string, unknown> } }>({
          method: 'txpool_content',
          params: [],
        })
      ).pending,
    })
    const before = await state()
    const swap = await verifyOn(d.publicClient, 'benign-swap')
    const drainer = await verifyOn(d.publicClient, 'approval-drainer')
    // the simulation saw them move tokens, so there was something to send
    expect(swap.changes.length).toBeGreaterThan(0)
    expect(drainer.verdict).toBe('block')
    expect(await state()).toEqual(before)
    expect(before.pending).toEqual({})
  })
})

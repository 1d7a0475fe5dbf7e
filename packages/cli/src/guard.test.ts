// `hermit guard --refuse-warn` refuses warnings too, and checks on a fork brought to the upstream
// head before each request: one start of the real binary covers both.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFunctionData, erc20Abi, parseUnits, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { startHermit } from './testing/index.ts'

const net = useDevnet()

type RpcReply = { result?: string; error?: { code: number; message: string; data?: { reasons: { id: string }[] } } }

describe('hermit guard --refuse-warn', () => {
  it('refuses a warn verdict (-32003), and checks on a fork at the upstream head: a ' +
    'transfer refused as reverting before a mint on the upstream goes through after it', async () => {
    const d = net()
    const dUSD = d.deployments.contracts.DevToken!.address
    // a sender with ETH but no dUSD yet, sending to a known contact (so no first-interaction warning)
    const sender = d.accounts[9]!.address
    const alice = d.accounts[2]!.address
    const policy = join(mkdtempSync(join(tmpdir(), 'hermit-guard-')), 'policy.json')
    writeFileSync(policy, JSON.stringify({ addressBook: { alice }, tokens: { dUSD }, history: [alice] }))
    const guard = startHermit(
      ['guard', '--upstream', d.rpcUrl, '--port', '0', '--policy', policy, '--refuse-warn', '--json'],
      {
        env: { HERMIT_MODEL: 'none' },
      },
    )
    try {
      const { url } = JSON.parse((await guard.waitForStdout(/\n/, 60_000)).split('\n')[0]!) as { url: string }
      const sendTx = async (to: Hex, data: Hex): Promise<RpcReply> => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'eth_sendTransaction',
            params: [{ from: sender, to, data }],
          }),
        })
        return (await res.json()) as RpcReply
      }
      const send = () =>
        sendTx(dUSD, encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [alice, parseUnits('5', 6)] }))
      const balance = () =>
        d.publicClient.readContract({ address: dUSD, abi: erc20Abi, functionName: 'balanceOf', args: [alice] })
      const alice0 = await balance()

      // a blind call (calldata nothing decodes) is a warning, which --refuse-warn refuses
      const blind = await sendTx(alice, '0x8badf00d0000000000000000000000000000000000000000000000000000000000000001')
      expect(blind.error?.code, JSON.stringify(blind)).toBe(-32003)
      expect(blind.error?.message).toMatch(/Hermit refused \(warn\)/)
      expect(blind.error?.data?.reasons.map((r) => r.id)).toContain('decode.unknown-function')

      // no dUSD yet: the simulated transfer reverts (tx.reverts), so it is refused
      const refused = await send()
      expect(refused.error?.code, JSON.stringify(refused)).toBe(-32003)
      expect(refused.error?.data?.reasons.map((r) => r.id)).toContain('tx.reverts')

      // the sender gets dUSD on the upstream, after the guard forked it
      const minted = await d.walletFor(d.accounts[9]!).writeContract({
        address: dUSD,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [sender, parseUnits('5', 6)],
      })
      await d.publicClient.waitForTransactionReceipt({ hash: minted })

      // checked on a fork at the new head: nothing to warn about, so it is forwarded and mined
      const sent = await send()
      expect(sent.result, JSON.stringify(sent)).toMatch(/^0x[0-9a-f]{64}$/)
      await d.publicClient.waitForTransactionReceipt({ hash: sent.result as Hex })
      expect(await balance()).toBe(alice0 + parseUnits('5', 6))
    } finally {
      const stopped = await guard.stop('SIGINT')
      expect(stopped.code, stopped.stderr).toBe(0)
    }
  }, 120_000)
})

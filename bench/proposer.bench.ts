import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, parseUnits } from 'viem'
import { defiWorld, startDevnet, uniswapV2Router02Abi } from '@hermit/devnet'
import { propose, sendProposal } from '@hermit/proposer'
import { fund, proposeOptions } from '@hermit/proposer/testing'
import { baselineOf, iterations, summarize, timeMs, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(20, 3)

export const bench: BenchFile = {
  title: 'proposer: words → checked proposal without a model (plan, fork, txguard per step), and the gas it adds',
  measures: ['packages/proposer', 'packages/txguard', 'packages/intent', 'packages/devnet/src/defi'],
  async run() {
    const d = await startDevnet({ world: 'defi' })
    try {
      const user = d.accounts[1]!
      const bob = d.accounts[2]!.address
      await fund(d, user.address, { USDC: parseUnits('3000', 6) })
      const o = proposeOptions(d, user, { bob })
      const results: BenchResult[] = []
      const cases = {
        'ETH transfer ("send 0.2 ETH to bob")': { words: 'send 0.2 ETH to bob', venue: undefined },
        'swap on V2 ("swap 1 ETH for USDC")': { words: 'swap 1 ETH for USDC', venue: 'v2' as const },
        'two steps, approve + V3 swap ("swap 3000 USDC for WETH")': {
          words: 'swap 3000 USDC for WETH',
          venue: 'v3' as const,
        },
      }
      for (const [name, c] of Object.entries(cases)) {
        const samples = await timeMs(N, async () => {
          await propose(c.words, { ...o, ...(c.venue ? { venue: c.venue } : {}) })
        })
        results.push(
          summarize(`propose: ${name}`, 'ms', samples, {
            note: 'includes starting a throwaway anvil fork per proposal; goal < 100 ms median for a transfer',
          }),
        )
      }
      // gas: the proposer's transaction, then (reverted to the same state) the same call made by hand with viem
      const journal = join(mkdtempSync(join(tmpdir(), 'hermit-bench-')), 'journal.json')
      const wallet = d.walletFor(user)
      const w = defiWorld(d.deployments)
      const snap = await d.snapshot()
      const p = await propose('swap 1 ETH for USDC', { ...o, venue: 'v2' })
      const swap = p.steps[0]!.action
      if (swap.kind !== 'swap.v2') throw new Error('expected a V2 swap')
      // both land in a block of the same timestamp: a V2 pair's first swap in a new second also writes its
      // price accumulators, and that alone would differ between the two if their seconds did
      const at = (await d.publicClient.getBlock()).timestamp + 30n
      await d.testClient.setNextBlockTimestamp({ timestamp: at })
      const sent = await sendProposal(p, { client: d.publicClient, account: user, journal })
      await d.revert(snap)
      await d.testClient.setNextBlockTimestamp({ timestamp: at })
      const hash = await wallet.writeContract({
        address: w.uniswapV2.router02,
        abi: uniswapV2Router02Abi,
        functionName: 'swapExactETHForTokens',
        args: [swap.minOut, swap.path, user.address, swap.deadline],
        value: parseEther('1'),
        gas: 1_000_000n,
      })
      const byHand = await d.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
      const hand = summarize('gas: swapExactETHForTokens by hand (viem)', 'gas', [Number(byHand.gasUsed)])
      results.push({
        ...summarize('gas: V2 swap built by the proposer', 'gas', [Number(sent.sent[0]!.gasUsed)]),
        baseline: baselineOf(hand),
      })
      results.push(hand)
      return results
    } finally {
      await d.stop()
    }
  },
}

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { concat, erc20Abi, parseEther, parseUnits, zeroAddress, type Hash, type LocalAccount } from 'viem'
import {
  defiWorld,
  safeAbi,
  safeCall,
  safeTxTypedData,
  startDevnet,
  swapRouterAbi,
  uniswapV2Router02Abi,
  weth9Abi,
  type Devnet,
} from '@hermit/devnet'
import { createProposer, propose, sendProposal, type Proposal, type ProposeOptions } from '@hermit/proposer'
import { fund, proposeOptions } from '@hermit/proposer/testing'
import { baselineOf, iterations, summarize, timeMs, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(20, 3)

/**
 * One case of the gas comparison: the words the proposer builds from, and the same calls written by
 * hand with viem (from the plan's chosen quote-dependent values: minimum out and deadline only).
 */
type GasCase = {
  name: string
  words: string
  account: (d: Devnet) => LocalAccount
  extra?: Partial<ProposeOptions>
  byHand: (d: Devnet, p: Proposal) => Promise<Hash[]>
}

async function gasOf(d: Devnet, hashes: Hash[]): Promise<number> {
  let sum = 0n
  for (const hash of hashes)
    sum += (await d.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })).gasUsed
  return Number(sum)
}

export const bench: BenchFile = {
  title: 'proposer: words → checked proposal without a model (plan, fork, txguard per step), and the gas it adds',
  measures: ['packages/proposer', 'packages/txguard', 'packages/intent', 'packages/devnet/src/defi'],
  async run() {
    const d = await startDevnet({ world: 'defi' })
    try {
      const user = d.accounts[1]!
      const bob = d.accounts[2]!.address
      const w = defiWorld(d.deployments)
      await fund(d, user.address, { USDC: parseUnits('6000', 6) })
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
      // before: a throwaway anvil fork started and stopped for each proposal (propose() without a pool)
      const fresh = summarize(
        'propose: ETH transfer, a fresh fork per proposal',
        'ms',
        await timeMs(N, async () => {
          await propose(cases['ETH transfer ("send 0.2 ETH to bob")'].words, o)
        }),
        { note: 'propose() without createProposer: starts and stops an anvil fork for each proposal' },
      )
      {
        await using proposer = createProposer(o)
        for (const [name, c] of Object.entries(cases)) {
          const samples = await timeMs(N, async () => {
            await proposer.propose(c.words, c.venue ? { venue: c.venue } : {})
          })
          const transfer = name.startsWith('ETH transfer')
          results.push(
            summarize(`propose: ${name}`, 'ms', samples, {
              note:
                'createProposer: one fork, reverted to its snapshot between proposals (reset when the head moves)' +
                (transfer ? '; goal < 100 ms median for a transfer' : ''),
              ...(transfer ? { baseline: baselineOf(fresh) } : {}),
            }),
          )
        }
      }
      results.push(fresh)

      // gas: the proposer's transactions, then (reverted to the same state and clock) the same calls by hand
      const journal = join(mkdtempSync(join(tmpdir(), 'hermit-bench-')), 'journal.json')
      const safe = w.safe.account.address
      const gasCases: GasCase[] = [
        {
          name: 'ETH transfer',
          words: 'send 0.2 ETH to bob',
          account: () => user,
          byHand: async () => [await d.walletFor(user).sendTransaction({ to: bob, value: parseEther('0.2') })],
        },
        {
          name: 'ERC-20 transfer',
          words: 'send 40 USDC to bob',
          account: () => user,
          byHand: async () => [
            await d.walletFor(user).writeContract({
              address: w.tokens.USDC,
              abi: erc20Abi,
              functionName: 'transfer',
              args: [bob, parseUnits('40', 6)],
            }),
          ],
        },
        {
          name: 'WETH wrap',
          words: 'wrap 1 ETH',
          account: () => user,
          byHand: async () => [
            await d
              .walletFor(user)
              .writeContract({ address: w.weth, abi: weth9Abi, functionName: 'deposit', value: parseEther('1') }),
          ],
        },
        {
          name: 'V2 swap (swapExactETHForTokens)',
          words: 'swap 1 ETH for USDC',
          extra: { venue: 'v2' },
          account: () => user,
          byHand: async (_d, p) => {
            const a = p.steps[0]!.action
            if (a.kind !== 'swap.v2') throw new Error('expected a V2 swap')
            return [
              await d.walletFor(user).writeContract({
                address: w.uniswapV2.router02,
                abi: uniswapV2Router02Abi,
                functionName: 'swapExactETHForTokens',
                args: [a.minOut, a.path, user.address, a.deadline],
                value: parseEther('1'),
                gas: 1_000_000n,
              }),
            ]
          },
        },
        {
          name: 'approve + V3 swap (exactInputSingle), both transactions',
          words: 'swap 3000 USDC for WETH',
          extra: { venue: 'v3' },
          account: () => user,
          byHand: async (_d, p) => {
            const a = p.steps[1]!.action
            if (a.kind !== 'swap.v3') throw new Error('expected a V3 swap')
            const wallet = d.walletFor(user)
            const approve = await wallet.writeContract({
              address: w.tokens.USDC,
              abi: erc20Abi,
              functionName: 'approve',
              args: [w.uniswapV3.swapRouter, a.amountIn],
            })
            await d.publicClient.waitForTransactionReceipt({ hash: approve, pollingInterval: 10 })
            const swap = await wallet.writeContract({
              address: w.uniswapV3.swapRouter,
              abi: swapRouterAbi,
              functionName: 'exactInputSingle',
              args: [
                {
                  tokenIn: w.tokens.USDC,
                  tokenOut: w.weth,
                  fee: a.fee,
                  recipient: user.address,
                  deadline: a.deadline,
                  amountIn: a.amountIn,
                  amountOutMinimum: a.minOut,
                  sqrtPriceLimitX96: 0n,
                },
              ],
              gas: 1_000_000n,
            })
            return [approve, swap]
          },
        },
        {
          name: 'Safe 1-of-1 execTransaction (0.1 ETH out of the Safe)',
          words: 'from my safe send 0.1 ETH to bob',
          account: (dn) => dn.accounts[0]!,
          extra: { safe },
          byHand: async (dn) => {
            const owner = dn.accounts[0]!
            const nonce = await dn.publicClient.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' })
            const typed = safeTxTypedData(safe, dn.chain.id, safeCall({ to: bob, value: parseEther('0.1'), nonce }))
            const signature = await owner.signTypedData(typed)
            return [
              await dn.walletFor(owner).writeContract({
                address: safe,
                abi: safeAbi,
                functionName: 'execTransaction',
                args: [bob, parseEther('0.1'), '0x', 0, 0n, 0n, 0n, zeroAddress, zeroAddress, concat([signature])],
              }),
            ]
          },
        },
      ]
      // one second per block in both runs: a pool's first swap in a new second writes its price
      // accumulators or oracle, and that alone would differ if the two runs' clocks did
      await d.testClient.setBlockTimestampInterval({ interval: 1 })
      for (const c of gasCases) {
        const account = c.account(d)
        const snap = await d.snapshot()
        const at = (await d.publicClient.getBlock()).timestamp + 30n
        const p = await propose(c.words, {
          ...proposeOptions(d, account, { bob }),
          ...c.extra,
          signer: account,
        })
        await d.testClient.setNextBlockTimestamp({ timestamp: at })
        const sent = await sendProposal(p, { client: d.publicClient, account, journal })
        const built = sent.sent.reduce((s, x) => s + Number(x.gasUsed), 0)
        await d.revert(snap)
        const again = await d.snapshot()
        await d.testClient.setNextBlockTimestamp({ timestamp: at })
        const hand = summarize(`gas: ${c.name}, by hand (viem)`, 'gas', [await gasOf(d, await c.byHand(d, p))])
        results.push({
          ...summarize(`gas: ${c.name}, built by the proposer`, 'gas', [built]),
          baseline: baselineOf(hand),
        })
        results.push(hand)
        await d.revert(again)
      }
      await d.testClient.removeBlockTimestampInterval()
      return results
    } finally {
      await d.stop()
    }
  },
}

/**
 * Words → a transaction Hermit builds, checks and signs, on the devnet's real Uniswap: an
 * approve-then-swap on Uniswap V3 is planned, simulated as a sequence, checked against the words,
 * sent, and its real effects compared with the simulated ones; then a send above the user's outflow
 * limit is proposed, blocked, and cannot be sent. No model: the parser reads the words.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, parseUnits } from 'viem'
import { startDevnet, type Devnet } from '@hermit/devnet'
import { propose, sendProposal, type Proposal, type SendResult } from '@hermit/proposer'
import { fund, proposeOptions } from '@hermit/proposer/testing'
import { isHermitError } from '@hermit/errors'
import type { Flow } from '../flows.ts'
import type { Log } from '../lib/log.ts'

function show(log: Log, p: Proposal) {
  log.line(p.reading.model.note)
  for (const n of p.notes) log.line(n)
  for (const [i, s] of p.steps.entries()) {
    log.line(`${i + 1}. ${s.meaning} — txguard: ${s.report.verdict}`)
    for (const c of s.report.changes) log.line(`     ${c.holderName}: ${c.formatted}`)
  }
  log.line(`verdict: ${p.verdict}`)
}

export async function proposeTx(
  devnet: Devnet,
  log: Log,
): Promise<{ swap: Proposal; sent: SendResult; blocked: Proposal; refused: string }> {
  const user = devnet.accounts[1]!
  const bob = devnet.accounts[2]!.address
  const journal = join(mkdtempSync(join(tmpdir(), 'hermit-propose-tx-')), 'journal.json')
  await fund(devnet, user.address, { USDC: parseUnits('3000', 6) })
  const words = 'swap 3000 USDC for WETH, at least 0.9 WETH'
  log.step(`"${words}" on Uniswap V3`)
  const swap = await propose(words, { ...proposeOptions(devnet, user, { bob }), venue: 'v3' })
  show(log, swap)
  const sent = await sendProposal(swap, { client: devnet.publicClient, account: user, journal })
  for (const s of sent.sent) log.line(`sent ${s.hash}: ${s.status}, ${s.gasUsed} gas`)
  log.line(sent.differences.length === 0 ? 'real effects match the simulation' : 'REAL EFFECTS DIFFER')

  log.step('"send 5 ETH to bob", with an outflow limit of 1 ETH in the policy')
  const blocked = await propose('send 5 ETH to bob', {
    ...proposeOptions(devnet, user, { bob }),
    policy: { outflowLimits: { native: parseEther('1') } },
  })
  show(log, blocked)
  let refused = ''
  try {
    await sendProposal(blocked, { client: devnet.publicClient, account: user, journal, yes: true })
  } catch (error) {
    if (!isHermitError(error)) throw error
    refused = error.code
    log.line(`not sent: ${error.message}`)
  }
  return { swap, sent, blocked, refused }
}

export const flow: Flow = {
  name: 'propose-tx',
  title: 'Words to a checked, signed transaction on real Uniswap (propose, simulate, check, sign)',
  run: async (devnet, log) => {
    // the DeFi world is opt-in: the demo's devnet may not have it, then this flow brings its own
    if (devnet.deployments.defi) {
      await proposeTx(devnet, log)
      return
    }
    const defi = await startDevnet({ world: 'defi' })
    try {
      await proposeTx(defi, log)
    } finally {
      await defi.stop()
    }
  },
}

/**
 * Words → a transaction Hermit builds, checks and signs, on the devnet's real Uniswap: an
 * approve-then-swap on Uniswap V3 is planned, simulated as a sequence, checked against the words,
 * sent, and its real effects compared with the simulated ones; then a send above the user's outflow
 * limit and a send to a look-alike of bob's address (address poisoning) are proposed, blocked, and
 * cannot be sent; last, a transfer out of the devnet's Safe is proposed as a Safe transaction,
 * signed by its owner (EIP-712) and executed. No model: the parser reads the words.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAddress, parseEther, parseUnits, type Address } from 'viem'
import { defiWorld, startDevnet, type Devnet } from '@hermit/devnet'
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

/** The same first and last 4 hex digits as `a`, different in between: what an address poisoner mines for. */
function lookalikeOf(a: Address): Address {
  const hex = a.slice(2).toLowerCase()
  const middle = [...hex.slice(4, -4)].map((c) => ((Number.parseInt(c, 16) + 7) % 16).toString(16)).join('')
  return getAddress(`0x${hex.slice(0, 4)}${middle}${hex.slice(-4)}`)
}

/** Sends what can be sent; a refusal is logged and its code returned. */
async function trySend(log: Log, send: () => Promise<SendResult>): Promise<string> {
  try {
    await send()
    return ''
  } catch (error) {
    if (!isHermitError(error)) throw error
    log.line(`not sent: ${error.message}`)
    return error.code
  }
}

export async function proposeTx(
  devnet: Devnet,
  log: Log,
): Promise<{
  swap: Proposal
  sent: SendResult
  blocked: Proposal
  refused: string
  lookalike: Proposal
  lookalikeRefused: string
  safe: Proposal
  safeSent: SendResult
}> {
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
  const refused = await trySend(log, () =>
    sendProposal(blocked, { client: devnet.publicClient, account: user, journal, yes: true }),
  )

  const fake = lookalikeOf(bob)
  log.step(`"send 0.2 ETH to ${fake}": a look-alike of bob's ${bob}`)
  const lookalike = await propose(`send 0.2 ETH to ${fake}`, proposeOptions(devnet, user, { bob }))
  show(log, lookalike)
  const lookalikeRefused = await trySend(log, () =>
    sendProposal(lookalike, { client: devnet.publicClient, account: user, journal, yes: true }),
  )

  // the devnet's Safe is owned by dev account 0: it proposes, signs the SafeTx and executes it
  const owner = devnet.accounts[0]!
  const mySafe = defiWorld(devnet.deployments).safe.account.address
  log.step(`"from my safe send 0.5 ETH to bob" (Safe ${mySafe}, 1 of 1)`)
  const safe = await propose('from my safe send 0.5 ETH to bob', {
    ...proposeOptions(devnet, owner, { bob }),
    safe: mySafe,
    signer: owner,
  })
  show(log, safe)
  log.line(`safeTxHash ${safe.safe!.safeTxHash}, signed by ${safe.safe!.signatures[0]!.owner}`)
  const safeSent = await sendProposal(safe, { client: devnet.publicClient, account: owner, journal })
  for (const s of safeSent.sent) log.line(`sent ${s.hash}: ${s.status}, ${s.gasUsed} gas`)
  log.line(safeSent.differences.length === 0 ? 'real effects match the simulation' : 'REAL EFFECTS DIFFER')
  return { swap, sent, blocked, refused, lookalike, lookalikeRefused, safe, safeSent }
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

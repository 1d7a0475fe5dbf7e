import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEther, toHex, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { propose } from './propose.ts'
import { readJournal, resumeJournal, sendProposal } from './send.ts'
import { proposeOptions } from './testing/index.ts'

const net = useDevnet({ world: 'defi' })
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../../..')
const tmp = () => mkdtempSync(join(tmpdir(), 'hermit-proposer-'))

/** Runs testing/send-process.ts until it has recorded a signed tx, then SIGKILLs it there. */
async function killAfterRecord(args: string[], key: Hex) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'testing/send-process.ts'), ...args], {
    cwd: root,
    env: { ...process.env, HERMIT_PRIVATE_KEY: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const recorded = await new Promise<{ hash: Hex; nonce: number }>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line) as { hash: Hex; nonce: number })
    })
    void exited.then(() => reject(new Error(`send-process exited first: ${stderr}`)))
  })
  child.kill('SIGKILL')
  return { recorded, exit: await exited }
}

describe('sendProposal: sign, send, journal', () => {
  it('kill -9 between signing and sending: the restart re-broadcasts the recorded tx, never a second one', async () => {
    const { publicClient, accounts } = net()
    const user = accounts[3]!
    const to = accounts[4]!.address
    const dir = tmp()
    const deployments = join(dir, 'deployments.json')
    writeFileSync(deployments, serializeDeployments(net().deployments))
    const journal = join(dir, 'journal.json')
    const nonce = await publicClient.getTransactionCount({ address: user.address })
    const before = await publicClient.getBalance({ address: to })
    const key = toHex(user.getHdKey().privateKey!)
    const args = [
      '--rpc',
      net().rpcUrl,
      '--deployments',
      deployments,
      '--journal',
      journal,
      '--to',
      to,
      '--amount',
      '0.25',
    ]
    const { recorded, exit } = await killAfterRecord(args, key)
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' })
    // signed and recorded, never broadcast
    expect(readJournal(journal).map((e) => [e.hash, e.status])).toEqual([[recorded.hash, 'signed']])
    expect(await publicClient.getTransactionCount({ address: user.address })).toBe(nonce)

    // the restart: the recorded bytes are broadcast, once
    const resumed = await resumeJournal(publicClient, journal)
    expect(resumed.map((e) => e.hash)).toEqual([recorded.hash])
    expect((await publicClient.getTransactionReceipt({ hash: recorded.hash })).status).toBe('success')
    expect(readJournal(journal).map((e) => e.status)).toEqual(['mined'])
    // a second restart finds nothing to do
    expect(await resumeJournal(publicClient, journal)).toEqual([])
    expect(await publicClient.getTransactionCount({ address: user.address })).toBe(nonce + 1)
    expect((await publicClient.getBalance({ address: to })) - before).toBe(parseEther('0.25'))
  }, 60_000)

  it('two concurrent proposals from one account: one queue, consecutive nonces, both land', async () => {
    const { publicClient, accounts } = net()
    const user = accounts[5]!
    const bob = accounts[6]!.address
    const o = proposeOptions(net(), user, { bob })
    const [a, b] = await Promise.all([propose('send 1 ETH to bob', o), propose('send 2 ETH to bob', o)])
    const before = await publicClient.getBalance({ address: bob })
    const nonce = await publicClient.getTransactionCount({ address: user.address })
    const journal = join(tmp(), 'journal.json')
    const [ra, rb] = await Promise.all([
      sendProposal(a, { client: publicClient, account: user, journal }),
      sendProposal(b, { client: publicClient, account: user, journal }),
    ])
    expect([ra.sent[0]!.status, rb.sent[0]!.status]).toEqual(['success', 'success'])
    expect(readJournal(journal).map((e) => e.nonce)).toEqual([nonce, nonce + 1])
    expect((await publicClient.getBalance({ address: bob })) - before).toBe(parseEther('3'))
  })

  it('a warning is not sent without yes: true, and its reasons are said again', async () => {
    const { publicClient, accounts } = net()
    const user = accounts[7]!
    // an exact approval to a contract created on this devnet minutes ago, not in the address book: txguard warns
    const spender = defiWorld(net().deployments).uniswapV3.positionManager
    const p = await propose(`approve 10 USDC to ${spender}`, proposeOptions(net(), user))
    expect(p.verdict).toBe('warn')
    const journal = join(tmp(), 'journal.json')
    expect(() => sendProposal(p, { client: publicClient, account: user, journal })).toThrow(
      expect.objectContaining({ code: 'PROPOSER_NOT_CONFIRMED', message: expect.stringContaining('step 1:') }),
    )
    expect(readJournal(journal)).toEqual([])
    const r = await sendProposal(p, { client: publicClient, account: user, journal, yes: true })
    expect(r.sent[0]!.status).toBe('success')
  })
})

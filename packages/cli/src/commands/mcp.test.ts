import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, parseUnits, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { saveAccountKeystore } from '@hermit/chain'
import { EvaluatorAgent, ProviderAgent, summarizeSkill, summaryChecks } from '@hermit/agents'
import { devnetParty } from '@hermit/agents/testing'
import { defiWorld, writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { callTool, connectStdio, type ToolAnswer } from '@hermit/mcp/testing'
import { HERMIT_BIN } from '../testing/index.ts'

const net = useDevnet({ world: 'defi' })

const ARTICLE =
  'Hermit lets software agents hire other agents on Ethereum without a platform in the middle. ' +
  'The provider does the work and submits the hash of its deliverable on-chain. ' +
  'An evaluator fetches the deliverable, checks it against that hash and completes or rejects the job.'

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'hermit-mcp-cli-'))
  const deployments = join(dir, 'deployments.json')
  writeDeployments(deployments, net().deployments)
  const policy = join(dir, 'policy.json')
  writeFileSync(
    policy,
    JSON.stringify({
      addressBook: { bob: net().accounts[2]!.address },
      outflowLimits: { native: parseEther('1').toString() },
    }),
  )
  return { dir, deployments, policy }
}

describe('hermit mcp over stdio (the real binary, the SDK client)', () => {
  it('serves every tool against the devnet: a blocked proposal cannot be confirmed, a hire completes; the key appears nowhere', async () => {
    const d = net()
    const key = toHex(d.accounts[1]!.getHdKey().privateKey!)
    const { dir, deployments, policy } = files()
    const signing = join(dir, 'signer.json')
    saveAccountKeystore(signing, key, 'mcp test password', { N: 2 ** 10 })
    const [provider, evaluator] = await Promise.all([
      devnetParty(d, 2, { mint: '100' }),
      devnetParty(d, 3, { mint: '0' }),
    ])
    await devnetParty(d, 1, { mint: '100' })
    const summarizer = new ProviderAgent({
      escrow: provider.escrow,
      erc8004: provider.erc8004,
      name: 'Summarizer',
      description: 'Extractive summaries.',
      skills: { summarize: summarizeSkill(parseUnits('5', 6)) },
      dataDir: provider.dataDir,
      pollMs: 100,
    })
    const checker = new EvaluatorAgent({
      escrow: evaluator.escrow,
      erc8004: evaluator.erc8004,
      account: evaluator.account,
      check: summaryChecks,
      pollMs: 100,
    })
    await summarizer.start()
    checker.start()
    const session = await connectStdio(
      process.execPath,
      [
        HERMIT_BIN,
        'mcp',
        '--rpc',
        d.rpcUrl,
        '-f',
        deployments,
        '--policy',
        policy,
        '--journal',
        join(dir, 'j.json'),
        '--signing-keystore',
        signing,
      ],
      // the signing key is in an encrypted `hermit keys` file; the child never sees it in its environment
      {
        env: {
          ...(process.env as Record<string, string>),
          HERMIT_KEYSTORE_PASSWORD: 'mcp test password',
          HERMIT_MODEL: 'none',
        },
      },
    )
    const answers: ToolAnswer[] = []
    const call = async (name: string, args: Record<string, unknown>) => {
      const a = await callTool(session.client, name, args)
      answers.push(a)
      return a
    }
    try {
      const { tools } = await session.client.listTools()
      expect(tools).toHaveLength(11)
      const user = d.accounts[1]!.address
      const bob = d.accounts[2]!.address
      const fine = await call('verify_transaction', {
        from: user,
        to: bob,
        value: parseEther('0.1').toString(),
        intent: 'send 0.1 ETH to bob',
      })
      expect(fine.structured.verdict, fine.text).toBe('allow')
      expect(
        (await call('verify_signature', { from: user, method: 'eth_sign', message: `0x${'ab'.repeat(32)}` })).structured
          .verdict,
      ).toBe('block')
      expect((await call('verify_transaction', { from: 'nobody' })).structured.code).toBe('TXGUARD_REQUEST_INVALID')
      const blocked = await call('propose_transaction', { words: 'send 5 ETH to bob' })
      expect(blocked.structured).toMatchObject({ verdict: 'block', sendable: false })
      const nonce = await d.publicClient.getTransactionCount({ address: user })
      expect((await call('propose_transaction', { id: blocked.structured.id, confirm: true })).structured.code).toBe(
        'PROPOSER_BLOCKED',
      )
      expect(await d.publicClient.getTransactionCount({ address: user })).toBe(nonce)
      expect((await call('balances', {})).structured.address).toBe(user)
      expect((await call('find_agents', { skill: 'summarize' })).structured.candidates).toHaveLength(1)
      const hired = await call('hire_agent', {
        skill: 'summarize',
        input: ARTICLE,
        maxPrice: parseUnits('10', 6).toString(),
        evaluator: evaluator.account.address,
        timeoutSeconds: 60,
      })
      expect(hired.structured, hired.text).toMatchObject({ status: 'Completed' })
      expect((await call('job_status', { jobId: hired.structured.jobId })).structured.status).toBe('Completed')
      expect((await call('agent_reputation', { agentId: hired.structured.agentId })).structured.completed).toBe(1)
      expect((await call('reclaim_expired_job', { jobId: hired.structured.jobId })).structured.code).toBe(
        'AGENTS_JOB_NOTHING_TO_REFUND',
      )
      expect((await call('job_status', { jobId: '999' })).structured.code).toBe('AGENTS_JOB_UNKNOWN')
      const trust = await call('check_contract_trust', { address: d.deployments.contracts.AgenticCommerce!.address })
      expect(trust.isError, trust.text).toBe(false)
      expect((await call('check_contract_trust', { address: 'x' })).structured.code).toBe('TRUST_BAD_ADDRESS')
      expect((await call('paid_fetch', { url: 'http://127.0.0.1:9/' })).structured.code).toBe('MCP_NOT_CONFIGURED')
      for (const r of (await session.client.listResources()).resources)
        answers.push({
          isError: false,
          structured: {},
          text: JSON.stringify(await session.client.readResource({ uri: r.uri })),
        })
    } finally {
      await session.close()
      await summarizer.stop()
      await checker.stop()
    }
    // the key, with or without 0x, in any case: nowhere in what the server said, nor on its stderr
    const bare = key.slice(2).toLowerCase()
    for (const a of answers) expect(`${a.text}${JSON.stringify(a.structured)}`.toLowerCase()).not.toContain(bare)
    expect(session.stderr().toLowerCase()).not.toContain(bare)
    expect(session.stderr()).toMatch(/hermit mcp on stdio/)
  }, 120_000)
})

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, parseUnits, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { saveAccountKeystore } from '@hermit/chain'
import { terminateProver } from '@hermit/circuits'
import { saveKeystore } from '@hermit/zkpay'
import { devnetZkPay } from '@hermit/zkpay/testing'
import { EvaluatorAgent, ProviderAgent, summarizeSkill, summaryChecks } from '@hermit/agents'
import { devnetParty } from '@hermit/agents/testing'
import { defiWorld, writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { callTool, connectHttp, connectStdio, type StdioSession, type ToolAnswer } from '@hermit/mcp/testing'
import { HERMIT_BIN, startHermit } from '../testing/index.ts'

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

/** The real binary, reached by the SDK's own Client over stdio or over Streamable HTTP (with a bearer token). */
async function connect(
  transport: 'stdio' | 'http',
  args: string[],
  env: Record<string, string>,
): Promise<StdioSession> {
  if (transport === 'stdio') return connectStdio(process.execPath, [HERMIT_BIN, ...args], { env })
  const token = 'an-http-bearer-token-for-this-test'
  const child = startHermit([...args, '--http', '-p', '0', '--token', token, '--json'], { env })
  const { url } = JSON.parse((await child.waitForStdout(/\n/, 60_000)).split('\n')[0]!) as { url: string }
  const client = await connectHttp(url, token)
  let stderr = ''
  return {
    client,
    stderr: () => stderr,
    close: async () => {
      await client.close()
      stderr = (await child.stop()).stderr
    },
  }
}

describe('hermit mcp, the real binary, with the SDK client', () => {
  it.each(['stdio', 'http'] as const)(
    'over %s it serves every tool against the devnet: a blocked proposal cannot be confirmed, a hire completes; the key appears nowhere',
    async (transport) => {
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
      // a zk-rln gate on the devnet, and a ZK deposit of 2 tickets whose keystore and ticket file `hermit mcp` is given
      const zk = await devnetZkPay(d, {
        dir,
        price: parseEther('0.001'),
        stake: parseEther('0.01'),
        slash: false,
        workers: 1,
      })
      const gate = createServer(
        (req, res) =>
          void zk.gate.handle(req, res, async () => ({
            status: 200,
            headers: { 'content-type': 'text/plain' },
            body: 'paid answer',
          })),
      )
      await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r))
      const paidUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/answer`
      const me = await zk.deposit(4, 2n)
      await zk.deposit(5, 1n)
      const zkKeystore = join(dir, 'zk.json')
      saveKeystore(zkKeystore, me.identity, 'mcp test password', { N: 2 ** 10 })
      const session = await connect(
        transport,
        [
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
          '--keystore',
          zkKeystore,
          '--tickets-file',
          me.tickets.path,
        ],
        // the signing key is in an encrypted `hermit keys` file; the child never sees it in its environment
        {
          ...(process.env as Record<string, string>),
          HERMIT_KEYSTORE_PASSWORD: 'mcp test password',
          HERMIT_MODEL: 'none',
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
          (await call('verify_signature', { from: user, method: 'eth_sign', message: `0x${'ab'.repeat(32)}` }))
            .structured.verdict,
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
        const paid = await call('paid_fetch', { url: paidUrl, method: 'POST', body: 'question' })
        expect(paid.structured, paid.text).toMatchObject({
          status: 200,
          body: 'paid answer',
          paid: true,
          ticketsLeft: 1,
          anonymitySet: 2,
        })
        expect(zk.events.filter((e) => e.kind === 'paid')).toHaveLength(1)
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
        gate.closeAllConnections()
        await new Promise<void>((r) => gate.close(() => r()))
        await zk.close()
        await terminateProver()
      }
      // the key, with or without 0x, in any case: nowhere in what the server said, nor on its stderr
      // nor the ZK identity's secret, in decimal or hex
      const secrets = [key.slice(2).toLowerCase(), me.secret.toString(), me.secret.toString(16)]
      for (const secret of secrets) {
        for (const a of answers) expect(`${a.text}${JSON.stringify(a.structured)}`.toLowerCase()).not.toContain(secret)
        expect(session.stderr().toLowerCase()).not.toContain(secret)
      }
      if (transport === 'stdio') expect(session.stderr()).toMatch(/hermit mcp on stdio/)
    },
    120_000,
  )
})

import { parseUnits, type TransactionReceipt } from 'viem'
import { startDevnet } from '@hermit/devnet'
import { requestValidation } from '@hermit/erc8004'
import {
  ClientAgent,
  EvaluatorAgent,
  ProviderAgent,
  acceptJob,
  approvePaymentToken,
  chainTime,
  claimRefund,
  completeJob,
  createJob,
  fundJob,
  rejectJob,
  setBudget,
  settleExpiredBond,
  submitWork,
  summarizeSkill,
  summaryChecks,
  validationRequestHash,
} from '@hermit/agents'
import { advanceChainPast, devnetParty } from '@hermit/agents/testing'
import { registerAgent, REGISTRATION_TYPE } from '@hermit/erc8004'
import { baselineOf, iterations, summarize, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(8, 1)
const HIRES = iterations(5, 1)
const gas = (r: TransactionReceipt) => Number(r.gasUsed)
const ZERO = `0x${'0'.repeat(64)}` as const
const TEXT =
  'Agents hire agents on Ethereum. The client escrows the budget. The provider locks a bond and delivers. An evaluator decides. Reputation follows the money.'

export const bench: BenchFile = {
  title: 'Agents hiring agents (ERC-8183 escrow + Hermit job hook: gas per lifecycle step, measured receipts)',
  // the runtime and SDK, the escrow and its hook, and the ERC-8004 registries the hook writes to
  measures: [
    'packages/agents',
    'packages/erc8004',
    'packages/chain',
    'contracts/src/commerce',
    'contracts/src/erc8004',
  ],
  async run() {
    const d = await startDevnet()
    try {
      const [client, provider, evaluator] = await Promise.all([
        devnetParty(d, 1, { mint: '100000' }),
        devnetParty(d, 2, { mint: '100000' }),
        devnetParty(d, 3, { mint: '0' }),
      ])
      const { agentId } = await registerAgent(provider.erc8004, {
        registration: { type: REGISTRATION_TYPE, name: 'Bench provider', description: 'x', services: [], active: true },
      })
      const samples: Record<string, number[]> = {}
      /** Records one receipt's gas under `name` and returns it (so one run of a path can be summed). */
      const add = (name: string, r: TransactionReceipt): number => {
        ;(samples[name] ??= []).push(gas(r))
        return gas(r)
      }
      // whole paths: per run, the sum of the receipts of that one run
      const hookedPath: number[] = []
      const plainPath: number[] = []
      const budget = parseUnits('5', 6)
      await approvePaymentToken(client.escrow, client.escrow.address, budget * 1000n)
      await approvePaymentToken(provider.escrow, provider.escrow.hook, budget * 1000n)
      const job = async (hooked: boolean, expiresIn = 3600n) => {
        const { jobId, receipt } = await createJob(client.escrow, {
          provider: provider.account.address,
          evaluator: evaluator.account.address,
          expiredAt: (await chainTime(client.escrow)) + expiresIn,
          description: JSON.stringify({ v: 1, skill: 'summarize', input: TEXT }),
          hook: hooked ? client.escrow.hook : '0x0000000000000000000000000000000000000000',
        })
        const tag = hooked ? 'hooked' : 'no hook'
        let spent = add(`createJob (${tag})`, receipt)
        spent += add(`setBudget by the provider (${tag})`, await setBudget(provider.escrow, jobId, budget))
        if (hooked)
          spent += add('acceptJob by the provider', await acceptJob(provider.escrow, jobId, budget, 0n, agentId))
        spent += add(
          `fund (${tag}${hooked ? ': + acceptance and agent checks + bond lock' : ''})`,
          await fundJob(client.escrow, jobId, budget),
        )
        return { jobId, spent }
      }
      for (let i = 0; i < N; i++) {
        // happy path with the hook: the provider also asks for the validation record
        const { jobId: a, spent } = await job(true)
        const deliverable = `0x${(i + 1).toString(16).padStart(64, '0')}` as const
        const salt = `0x${(i + 7).toString(16).padStart(64, '0')}` as const
        const { receipt: vr } = await requestValidation(provider.erc8004, {
          validator: client.escrow.hook,
          agentId,
          requestURI: 'http://127.0.0.1/jobs/1',
          requestHash: await validationRequestHash(client.escrow, a, deliverable, salt),
        })
        hookedPath.push(
          spent +
            add('validationRequest by the provider', vr) +
            add('submit (hooked)', await submitWork(provider.escrow, a, deliverable, salt)) +
            add(
              'complete (hooked: + bond return + feedback with on-chain file + validation response)',
              await completeJob(evaluator.escrow, a, ZERO, { value: 90n }),
            ),
        )
        // rejection of a submitted job
        const { jobId: b } = await job(true)
        await submitWork(provider.escrow, b, `0x${'ab'.repeat(32)}`)
        add('reject a submitted job (hooked: + bond to client + feedback)', await rejectJob(evaluator.escrow, b, ZERO))
        // expiry without delivery
        const { jobId: c } = await job(true, 60n)
        await advanceChainPast(d, (await chainTime(client.escrow)) + 60n)
        add('claimRefund after expiry (never hooked)', await claimRefund(client.escrow, c))
        add('settleExpired (bond to client)', await settleExpiredBond(client.escrow, c))
        // the same happy path with no hook, as the baseline
        const { jobId: z, spent: plainSpent } = await job(false)
        plainPath.push(
          plainSpent +
            add('submit (no hook)', await submitWork(provider.escrow, z, `0x${'cd'.repeat(32)}`)) +
            add('complete (no hook)', await completeJob(evaluator.escrow, z, ZERO)),
        )
      }
      const out: BenchResult[] = Object.entries(samples).map(([name, s]) => summarize(`gas: ${name}`, 'gas', s))
      const plain = summarize(
        'gas: whole happy path without a hook, one run summed (create → quote → fund → submit → complete)',
        'gas',
        plainPath,
      )
      out.push(
        summarize(
          'gas: whole happy path with the hook, one run summed ' +
            '(create → quote → accept → fund → validation request → submit → complete)',
          'gas',
          hookedPath,
          {
            baseline: { ...baselineOf(plain), name: 'the same path without a hook, one run summed' },
            note: 'each sample is the sum of the receipts of one run of the path; token approvals not included',
          },
        ),
        plain,
      )

      // the runtime end to end: hire() until settled, all three agents polling every 50 ms
      const p = await new ProviderAgent({
        escrow: provider.escrow,
        erc8004: provider.erc8004,
        name: 'Bench summarizer',
        description: 'x',
        skills: { summarize: summarizeSkill(budget) },
        dataDir: provider.dataDir,
        pollMs: 50,
      }).start()
      const ev = new EvaluatorAgent({
        escrow: evaluator.escrow,
        erc8004: evaluator.erc8004,
        account: evaluator.account,
        check: summaryChecks,
        pollMs: 50,
      }).start()
      const hirer = new ClientAgent({
        escrow: client.escrow,
        erc8004: client.erc8004,
        account: client.account,
        pollMs: 50,
      })
      const ms: number[] = []
      try {
        for (let i = 0; i < HIRES; i++) {
          const t0 = performance.now()
          const r = await hirer.hire({
            skill: 'summarize',
            input: TEXT,
            maxPrice: budget,
            evaluator: evaluator.account.address,
          })
          if (r.status !== 'Completed') throw new Error(`hire ended ${r.status}`)
          ms.push(performance.now() - t0)
        }
      } finally {
        await p.stop()
        await ev.stop()
      }
      out.push(
        summarize(
          'hire() → completed and hash-checked deliverable (discovery, reputation, quote, bond approval, funding, ' +
            'submission, validation request, evaluation; agents poll every 50 ms)',
          'ms',
          ms,
        ),
      )
      return out
    } finally {
      await d.stop()
    }
  },
}

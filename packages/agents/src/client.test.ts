// The client's promises in choosing whom to hire: within maxPrice and the trust floor, and among
// equals the cheapest first; a provider that does not quote within
// quoteTimeoutMs is withdrawn and the next one tried; an acceptance as another agent than the one
// whose reputation was checked is withdrawn too. Also: a write that would revert is never sent.
import { describe, expect, it, vi } from 'vitest'
import { ContractRevertError } from '@hermit/chain'
import { useDevnet } from '@hermit/devnet/testing'
import {
  ClientAgent,
  EvaluatorAgent,
  getJob,
  paymentToken,
  paymentUnit,
  ProviderAgent,
  requiredBond,
  submitWork,
  summarizeSkill,
  summaryChecks,
  tokenBalance,
  withWallet,
  type HireStep,
} from './index.ts'
import { devnetParty, usd, type DevnetParty } from './testing/index.ts'

const net = useDevnet()
const TEXT =
  'Escrow holds the budget until the evaluator decides. The provider locks a bond. ' +
  'A rejected job refunds the client and pays it the bond. Reputation is written by the hook.'

/** A provider agent for `party` selling summaries at `price` dUSD, with its own data folder unless one is given. */
const providerOf = (party: DevnetParty, price: string, dataDir = party.dataDir, anyEvaluator = false) =>
  new ProviderAgent({
    ...(anyEvaluator ? { acceptEvaluator: () => true } : {}),
    escrow: party.escrow,
    erc8004: party.erc8004,
    name: `summaries at ${price}`,
    description: 'p',
    skills: { summarize: summarizeSkill(usd(price)) },
    dataDir,
    pollMs: 50,
  })

async function parties() {
  const d = net()
  const [client, p2, p4, p5, evaluator] = await Promise.all([
    devnetParty(d, 1),
    devnetParty(d, 2),
    devnetParty(d, 4),
    devnetParty(d, 5),
    devnetParty(d, 3, { mint: '0' }),
  ])
  const hirer = new ClientAgent({ escrow: client.escrow, erc8004: client.erc8004, account: client.account, pollMs: 50 })
  return { d, client, p2, p4, p5, evaluator, hirer }
}

/** An evaluator agent judging with summaryChecks, started; stop it when done. */
const evaluatorFor = (party: DevnetParty) =>
  new EvaluatorAgent({
    escrow: party.escrow,
    erc8004: party.erc8004,
    account: party.account,
    check: summaryChecks,
    pollMs: 50,
  }).start()

describe('client: whom it hires', () => {
  it('candidates: only within maxPrice (the rest skipped, saying why), and among ' +
    'agents with no paid jobs the cheapest first; a reputation floor leaves none', async () => {
    const { p2, p4, p5, hirer } = await parties()
    const agents = [
      await providerOf(p2, '3').start(),
      await providerOf(p4, '2').start(),
      await providerOf(p5, '9').start(),
    ]
    try {
      const [at3, at2, at9] = agents.map((a) => a.agentId!)
      const found = await hirer.candidates('summarize', usd('5'))
      expect(found.candidates.map((c) => [c.agentId, c.price])).toEqual([
        [at2, usd('2')],
        [at3, usd('3')],
      ])
      expect(found.candidates.every((c) => c.reputation.jobs === 0)).toBe(true)
      // prices with the token's unit, not base units (9000000 would read as nine million)
      expect(found.skipped).toContainEqual({ agentId: at9, reason: 'asks 9 dUSD, above maxPrice 5 dUSD' })
      expect((await hirer.candidates('translate', usd('5'))).candidates).toEqual([])
      const floor = await hirer.candidates('summarize', usd('5'), { jobs: 1 })
      expect(floor.candidates).toEqual([])
      expect(floor.skipped.map((s) => s.reason)).toContainEqual(expect.stringMatching(/below the floor/))
    } finally {
      await Promise.all(agents.map((a) => a.stop()))
    }
  }, 60_000)

  it('a floor that leaves every provider out says so (AGENTS_NO_PROVIDER naming the floor and why each was left out), and no job is created', async () => {
    const { p2, p5, hirer, client } = await parties()
    const agents = [await providerOf(p2, '3').start(), await providerOf(p5, '9').start()]
    try {
      const before = await tokenBalance(client.escrow, client.account.address)
      const hire = (o: Partial<Parameters<ClientAgent['hire']>[0]>) =>
        hirer.hire({ skill: 'summarize', input: TEXT, maxPrice: usd('5'), evaluator: client.account.address, ...o })
      await expect(hire({ minReputation: { average: 80 } })).rejects.toMatchObject({
        code: 'AGENTS_NO_PROVIDER',
        shortMessage: `No provider of "summarize" with reputation ≥ 80: 1 provider has no paid jobs yet; 1 provider asks more than 5 dUSD.`,
        hint: expect.stringMatching(/no reputation yet/),
      })
      await expect(hire({ skill: 'translate' })).rejects.toMatchObject({
        shortMessage: 'No provider of "translate": none is registered with this skill on this escrow.',
      })
      expect(await tokenBalance(client.escrow, client.account.address)).toBe(before)
    } finally {
      await Promise.all(agents.map((a) => a.stop()))
    }
  }, 60_000)

  it('quoteTimeoutMs: the cheapest provider never quotes, so its job is withdrawn (nothing moves) and the next one is hired', async () => {
    const { client, p2, p4, evaluator, hirer } = await parties()
    const silent = await providerOf(p4, '2').start()
    await silent.stop() // registered, cheapest, and gone: it will never quote
    const working = await providerOf(p2, '3').start()
    const judge = evaluatorFor(evaluator)
    try {
      const c0 = await tokenBalance(client.escrow, client.account.address)
      const steps: HireStep[] = []
      const r = await hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: evaluator.account.address,
        quoteTimeoutMs: 1_000,
        onProgress: (s) => steps.push(s),
      })
      expect(r).toMatchObject({ status: 'Completed', agentId: working.agentId })
      expect(steps.map((s) => s.step)).toEqual([
        'candidates',
        'created',
        'withdrawn',
        'created',
        'quoted',
        'funded',
        'submitted',
        'settled',
      ])
      const first = steps[1] as Extract<HireStep, { step: 'created' }>
      expect(first.agentId).toBe(silent.agentId)
      expect(steps[2]).toEqual({ step: 'withdrawn', jobId: first.jobId, reason: 'no quote in 1000 ms' })
      expect((await getJob(client.escrow, first.jobId)).status).toBe('Rejected')
      expect(c0 - (await tokenBalance(client.escrow, client.account.address))).toBe(usd('3'))
    } finally {
      await Promise.all([working.stop(), judge.stop()])
    }
  }, 60_000)

  it('an acceptance as another agent of the same wallet than the one whose ' +
    'reputation was checked is withdrawn; that agent is hired on its own turn', async () => {
    const { d, p2, evaluator, hirer } = await parties()
    // two agents of one wallet: the cheaper one registered and gone, the other running (and quoting as itself)
    const cheaper = await providerOf(p2, '2').start()
    await cheaper.stop()
    const other = await providerOf(p2, '3', `${p2.dataDir}-second`).start()
    expect(other.agentId).not.toBe(cheaper.agentId)
    const judge = evaluatorFor(evaluator)
    try {
      const steps: HireStep[] = []
      const r = await hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: evaluator.account.address,
        quoteTimeoutMs: 5_000,
        onProgress: (s) => steps.push(s),
      })
      const withdrawn = steps.find((s) => s.step === 'withdrawn')
      expect(withdrawn).toMatchObject({
        reason: `accepted as agent #${other.agentId}, not #${cheaper.agentId}`,
      })
      expect((await getJob(p2.escrow, (withdrawn as { jobId: bigint }).jobId)).status).toBe('Rejected')
      expect(r).toMatchObject({ status: 'Completed', agentId: other.agentId })
      expect(d.accounts[2]!.address).toBe(r.provider)
    } finally {
      await Promise.all([other.stop(), judge.stop()])
    }
  }, 60_000)
})

describe('client as its own evaluator', () => {
  it('evaluator "self" with a check: the client judges the delivery itself and completes the job (with a provider that accepts that)', async () => {
    const { client, p2, hirer } = await parties()
    const provider = await providerOf(p2, '3', p2.dataDir, true).start()
    try {
      const r = await hirer.hire({
        skill: 'summarize',
        input: TEXT,
        maxPrice: usd('5'),
        evaluator: 'self',
        check: summaryChecks,
      })
      expect(r).toMatchObject({ status: 'Completed', agentId: provider.agentId, bond: { to: 'provider' } })
      expect(r.evaluation).toMatchObject({ ok: true })
      expect((await getJob(client.escrow, r.jobId)).evaluator).toBe(client.account.address)
      await expect(
        hirer.hire({ skill: 'summarize', input: TEXT, maxPrice: usd('5'), evaluator: 'self' }),
      ).rejects.toMatchObject({
        code: 'AGENTS_BAD_ARGS',
      })
    } finally {
      await provider.stop()
    }
  }, 60_000)
})

describe('escrow handle', () => {
  it('the values fixed at deployment (payment token, bond rate) are read once per handle, and shared by its wallet copies', async () => {
    const { client, p2 } = await parties()
    const reads = vi.spyOn(client.escrow.publicClient, 'readContract')
    try {
      const copy = withWallet(client.escrow, p2.escrow.walletClient!)
      for (const handle of [client.escrow, copy, client.escrow]) {
        await paymentToken(handle)
        await requiredBond(handle, usd('2'))
        expect(await paymentUnit(handle)).toEqual({ symbol: 'dUSD', decimals: 6 })
      }
      const names = reads.mock.calls.map((c) => (c[0] as { functionName: string }).functionName)
      expect(names.filter((n) => n === 'paymentToken')).toHaveLength(1)
      expect(names.filter((n) => n === 'symbol' || n === 'decimals')).toHaveLength(2)
      expect(names.filter((n) => n === 'bondBps')).toHaveLength(1)
      expect(await requiredBond(client.escrow, usd('5'))).toBe(usd('1')) // 20% on the devnet
    } finally {
      reads.mockRestore()
    }
  })

  it(
    'a write that would revert is refused before it is sent: ContractRevertError ' +
      'with the escrow’s reason, and no transaction (same nonce, same block)',
    async () => {
      const { d, client } = await parties()
      const before = {
        nonce: await d.publicClient.getTransactionCount({ address: client.account.address }),
        block: await d.publicClient.getBlockNumber(),
      }
      // job 999 does not exist, and the client is no provider of anything
      const error = await submitWork(client.escrow, 999n, `0x${'ab'.repeat(32)}`).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ContractRevertError)
      expect(error).toMatchObject({ code: 'CHAIN_REVERTED', functionName: 'submit' })
      expect((error as ContractRevertError).reason).toBeTruthy()
      expect({
        nonce: await d.publicClient.getTransactionCount({ address: client.account.address }),
        block: await d.publicClient.getBlockNumber(),
      }).toEqual(before)
    },
  )
})

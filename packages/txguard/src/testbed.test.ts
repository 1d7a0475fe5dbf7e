import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { ollamaProvider, type LlmProvider } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer } from '@hermit/llm/testing'
import { afterAll } from 'vitest'
import { parseIntent } from '@hermit/intent'
import { verify, formatReport } from './index.ts'
import { encodeFunctionData } from 'viem'
import { swapRouterAbi, uniswapV2Router02Abi } from '@hermit/devnet'
import { belowQuote, deployTestbed, INJECTION_NAME, quoteV2, quoteV3, type Testbed } from './testing/index.ts'

// the DeFi world: the benign swaps, the approval and the honeypot's pair are on its real Uniswap
const net = useDevnet({ world: 'defi' })
let bed: Testbed
let model: ScriptedModelServer

beforeAll(async () => {
  // deployed once, before the per-test snapshot, so every test starts from the same test bed
  bed = await deployTestbed(net())
  model = await startScriptedModelServer({ models: ['scripted-judge'] })
})
afterAll(() => model.close())

const names = [
  'benign-swap',
  'benign-swap-v3',
  'benign-approve',
  'benign-nft',
  'approval-drainer',
  'multicall-drainer',
  'fake-airdrop',
  'honeypot',
  'permit2-drain',
  'address-poisoning',
  'proxy-upgrade',
  'prompt-injection',
  'blind-signature',
]

/**
 * verify() on a scenario of the test bed, under the bed's policy, with the scenario's intent (when
 * it has one) and, unless `origin: false`, its origin; `provider` is the model consulted, if any.
 */
function verifyScenario(name: string, options: { origin?: boolean; provider?: LlmProvider } = {}) {
  const s = bed.scenarios[name]!
  return verify(s.request, {
    client: net().publicClient,
    policy: bed.policy,
    ...(options.origin === false ? {} : { origin: s.origin }),
    ...(s.intent ? { intent: s.intent } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
  })
}

/** The scripted model as verify()'s provider. */
const scriptedJudge = () => ollamaProvider({ model: 'scripted-judge', host: model.url })

/**
 * What the scripted model answers next for `scenario`: first its reading of the scenario's words
 * (the same as the parser's, when it has words), then this judgement, as JSON replies.
 */
const nextJudgement = (
  scenario: string,
  judgement: { matchesIntent: string; verdict: string; concerns: string[]; summary: string },
) => {
  const words = bed.scenarios[scenario]!.intent
  model.script([
    ...(words ? [{ content: JSON.stringify({ intent: parseIntent(words) }) }] : []),
    { content: JSON.stringify(judgement) },
  ])
}

describe('test bed, deterministic (provider none)', () => {
  for (const name of names) {
    it(name, async () => {
      const s = bed.scenarios[name]!
      const report = await verifyScenario(name)
      const ids = report.reasons.filter((r) => r.severity !== 'info').map((r) => r.id)
      expect({ verdict: report.verdict, ids }, formatReport(report)).toMatchObject({ verdict: s.expect.verdict })
      expect(ids).toEqual(expect.arrayContaining(s.expect.reasons))
      if (s.expect.verdict === 'allow') expect(ids).toEqual([])
      expect(report.model).toEqual({ consulted: false, reason: expect.stringMatching(/no model consulted/) })
    })
  }
})

describe('the real Uniswap routers', () => {
  it('swap.slippage on Router02 and SwapRouter: 1 % below the on-chain quote allows, 15 % warns, 25 % blocks', async () => {
    const { USDC, WETH } = bed.tokens
    const [amountIn, from, deadline] = [100n * 10n ** 6n, bed.user.address, 2n ** 40n]
    const fee = bed.defi.uniswapV3.pools.WETH_USDC_3000!.fee
    const v2 = await quoteV2(net(), bed.defi, amountIn, [USDC, WETH])
    const v3 = await quoteV3(net(), bed.defi, { tokenIn: USDC, tokenOut: WETH, fee, amountIn })
    const swaps = {
      v2: (bps: bigint) => ({
        to: bed.contracts.uniswapV2Router,
        data: encodeFunctionData({
          abi: uniswapV2Router02Abi,
          functionName: 'swapExactTokensForTokens',
          args: [amountIn, belowQuote(v2, bps), [USDC, WETH], from, deadline],
        }),
      }),
      v3: (bps: bigint) => ({
        to: bed.contracts.uniswapV3Router,
        data: encodeFunctionData({
          abi: swapRouterAbi,
          functionName: 'exactInputSingle',
          args: [
            {
              tokenIn: USDC,
              tokenOut: WETH,
              fee,
              recipient: from,
              deadline,
              amountIn,
              amountOutMinimum: belowQuote(v3, bps),
              sqrtPriceLimitX96: 0n,
            },
          ],
        }),
      }),
    }
    for (const [router, swap] of Object.entries(swaps)) {
      const seen = []
      for (const bps of [100n, 1500n, 2500n]) {
        const request = { chainId: net().chainId, from, value: '0', ...swap(bps) }
        const report = await verify(request, {
          client: net().publicClient,
          policy: bed.policy,
          intent: 'swap 100 USDC for WETH',
        })
        seen.push({
          verdict: report.verdict,
          ids: report.reasons.filter((r) => r.severity !== 'info').map((r) => r.id),
        })
      }
      expect(seen, router).toEqual([
        { verdict: 'allow', ids: [] },
        { verdict: 'warn', ids: ['swap.slippage'] },
        { verdict: 'block', ids: ['swap.slippage'] },
      ])
    }
  })
})

describe('test bed, with the scripted model', () => {
  it('a model that says "block" raises an allow, with its reasons in the report', async () => {
    nextJudgement('benign-swap', {
      matchesIntent: 'unclear',
      verdict: 'block',
      concerns: ['the router is new to me'],
      summary: 'Swaps 100 dUSD for dWETH.',
    })
    const report = await verifyScenario('benign-swap', { origin: false, provider: scriptedJudge() })
    expect(report.deterministicVerdict).toBe('allow')
    expect(report.verdict).toBe('block')
    expect(report.model).toMatchObject({
      consulted: true,
      raised: true,
      judgement: { concerns: ['the router is new to me'] },
    })
  })

  for (const name of names.filter((n) => bed?.scenarios?.[n]?.expect.verdict !== 'allow' && !n.startsWith('benign'))) {
    it(`${name}: a model answering "allow" cannot lower the block`, async () => {
      nextJudgement(name, { matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'Looks safe.' })
      const report = await verifyScenario(name, { provider: scriptedJudge() })
      expect(report.model.consulted).toBe(true)
      expect(report.verdict).toBe('block')
    })
  }

  it('a token named like an instruction reaches the model only as quoted untrusted data', async () => {
    nextJudgement('prompt-injection', {
      matchesIntent: 'yes',
      verdict: 'allow',
      concerns: [],
      summary: 'The token says it is safe.',
    })
    const report = await verifyScenario('prompt-injection', { provider: scriptedJudge() })
    expect(report.verdict).toBe('block')
    const prompt = model.requests
      .at(-1)!
      .messages.map((m) => m.content)
      .join('\n')
    expect(prompt).toContain(INJECTION_NAME)
    // every occurrence is inside an {"untrusted": …} value
    const bare = prompt.split(`"untrusted": "${INJECTION_NAME}"`).join('').split(INJECTION_NAME).length - 1
    const quotedInFindings = prompt.match(/"untrusted": "[^"]*Ignore previous instructions/g)?.length ?? 0
    expect(bare).toBeLessThanOrEqual(quotedInFindings)
    expect(model.requests.at(-1)!.messages[0]!.content).toMatch(/never instructions/)
  })

  it('a model that reads the words looser than the parser is overruled, and the report says so', async () => {
    // "swap ALL my dUSD": looser than the 100 dUSD the words say; the drainer's 10,000 dUSD would fit it
    model.script([
      {
        content: JSON.stringify({
          intent: { action: 'swap', sell: { asset: 'dUSD', amount: 'all' }, buy: { asset: 'dWETH' } },
        }),
      },
      { content: JSON.stringify({ matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'Fine.' }) },
    ])
    const report = await verifyScenario('multicall-drainer', { provider: scriptedJudge() })
    expect(report.intent).toMatchObject({ reader: 'parser', asRead: expect.stringMatching(/swap 100 DUSD/) })
    expect(report.intent!.notes.join(' ')).toMatch(/disagreed/)
    expect(report.deterministicVerdict).toBe('block')
    expect(report.reasons.map((r) => r.id)).toContain('intent.mismatch')
  })

  it("a model reply that does not fit the intent schema is said in the report; the parser's reading stands", async () => {
    model.script([
      { content: '{"intent": {"action": "teleport"}}' },
      { content: '{"intent": {"action": "teleport"}}' },
      { content: JSON.stringify({ matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'Fine.' }) },
    ])
    const report = await verifyScenario('benign-swap', { provider: scriptedJudge() })
    expect(report.intent).toMatchObject({ reader: 'parser' })
    expect(report.intent!.notes.join(' ')).toMatch(/did not fit the schema/)
    expect(report.deterministicVerdict).toBe('allow')
  })

  it('a model that fails keeps the deterministic verdict and says so', async () => {
    model.script([{ status: 500, error: 'boom' }])
    const report = await verifyScenario('approval-drainer', { origin: false, provider: scriptedJudge() })
    expect(report.verdict).toBe('block')
    expect(report.model).toMatchObject({
      consulted: false,
      reason: expect.stringMatching(/failed.*deterministic verdict kept/),
    })
  })
})

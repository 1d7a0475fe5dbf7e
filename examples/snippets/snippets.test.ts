// README snippets are files here, run as written: each is a complete program (it defines what it
// uses, starts the devnet it needs and stops it), and the README shows it verbatim — so a stale
// snippet fails here. Run in this process by importing it; each snippet ends what it started.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'

const here = fileURLToPath(new URL('.', import.meta.url))
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** Each snippet and what it prints, line by line, when it works. */
const snippets: Record<string, RegExp[]> = {
  'errors.ts': [/^ERC20InsufficientBalance$/],
  'devnet.ts': [/^1000000$/, /^\d+$/],
  'defi.ts': [/^1 WETH buys [\d.]+ USDC on the v3 pool$/],
  'intent.ts': [
    /^your intent as read: swap 1000 DAI for ETH \(at least 0\.3 ETH\) \(by the parser\)$/,
    /^1000000000000000000000 300000000000000000$/,
  ],
  'txguard.ts': [/^allow$/, /^ALLOW /],
  'erc8004.ts': [/^Summarizer$/, /^1 paid-for rating, average 4$/],
  'zkpay.ts': [/^200 verified$/, /^new$/],
  'propose.ts': [/^erc20\.approve, swap\.v3 allow$/, /^0 differences from the simulation$/],
  'agents.ts': [/^Completed$/],
  'llm.ts': [/^no model consulted: the provider is `none` \(deterministic mode\)$/],
  // the fixture's answer is noise: only its shape (the schema) and the token counts are known
  'llamacpp.ts': [/^\{"matches":(true|false),"why":".*"\}$/, /^tokens: [1-9]\d* prompt, [1-9]\d* answer$/],
}

/** What `run` printed with console.log, one string per call. */
async function run(file: string): Promise<string[]> {
  const printed: string[] = []
  vi.stubEnv('HERMIT_MODEL', '') // the model snippet then runs as on a machine without a model: `none`
  vi.stubEnv('HERMIT_GGUF', '') // and the embedded-model snippet on the fixture GGUF
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' ')))
  await import(`./${file}`)
  return printed
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('README snippets', () => {
  it('every snippet file is listed here, and the README shows each one verbatim in a ts block', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    expect(files.sort()).toEqual(Object.keys(snippets).sort())
    for (const file of files)
      expect(readme, `README does not show examples/snippets/${file} as it is`).toContain(
        `\`\`\`ts\n${readFileSync(`${here}${file}`, 'utf8')}\`\`\``,
      )
  })

  for (const [file, expected] of Object.entries(snippets))
    it(`${file} runs against a devnet of its own and prints what it says`, async () => {
      const printed = await run(file)
      expect(printed).toHaveLength(expected.length)
      expected.forEach((line, i) => expect(printed[i]).toMatch(line))
    }, 60_000)
})

// Every shell block in the README is accounted for: the set-up commands (exactly what `.ci/run`
// runs, and `pnpm demo`), the newcomer walkthrough (run block by block by newcomer.test.ts), or a
// template the README marks as one, with what to replace and where its runnable form is. A new
// shell block that is none of these fails here, so no runnable-looking command goes untested.
// (TypeScript blocks are checked verbatim against examples/snippets/ by snippets.test.ts.)
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const ciRun = readFileSync(new URL('.ci/run', root), 'utf8')

type Block = { line: number; lang: string; text: string; before: string; inWalkthrough: boolean }

function shellBlocks(): Block[] {
  const lines = readme.split('\n')
  const out: Block[] = []
  let inWalkthrough = false
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes('<!-- newcomer:start -->')) inWalkthrough = true
    if (lines[i]!.includes('<!-- newcomer:end -->')) inWalkthrough = false
    const open = /^```(\w*)\s*$/.exec(lines[i]!)
    if (!open) continue
    const end = lines.indexOf('```', i + 1)
    const block = {
      line: i + 1,
      lang: open[1]!,
      text: lines.slice(i + 1, end).join('\n'),
      before: lines[i - 1] ?? '',
      inWalkthrough,
    }
    if (block.lang === 'sh' || block.lang === 'bash') out.push(block)
    i = end
  }
  return out
}

describe('the README’s shell blocks', () => {
  it('each is the set-up (what .ci/run runs), a walkthrough step, or a marked template', () => {
    const blocks = shellBlocks()
    expect(blocks.length).toBeGreaterThan(5)
    const testCommand = ciRun.trim().split('\n').at(-1)!
    for (const b of blocks) {
      if (b.inWalkthrough) continue
      if (b.text.includes(testCommand)) {
        // the README's two commands: the test one is .ci/run's last line, word for word
        expect(b.text, `README line ${b.line}`).toContain(testCommand.replace(' test', ' demo'))
        continue
      }
      expect(
        b.before,
        `README line ${b.line}: a shell block that is not run by any test must be marked as a template`,
      ).toMatch(/^<!-- template: .+ -->$/)
    }
    expect(blocks.filter((b) => b.inWalkthrough).length).toBeGreaterThanOrEqual(5)
  })
})

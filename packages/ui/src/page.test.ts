import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundlePage } from './bundle.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))

describe("the page's sources", () => {
  // the root typecheck runs without the DOM library; the page's TypeScript is checked here, against it
  it('typecheck against the DOM (tsc -p packages/ui/page)', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) =>
      execFile(
        `${root}node_modules/.bin/tsc`,
        ['-p', `${root}packages/ui/page/tsconfig.json`, '--noEmit'],
        { cwd: root, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, text: `${stdout}${stderr}` }),
      ),
    )
    expect(out.text).toBe('')
    expect(out.code).toBe(0)
  }, 60_000)

  it('bundle into one script and one style sheet that load nothing from anywhere', async () => {
    const { js, css } = await bundlePage()
    expect(js).toContain('/api/propose')
    // the only URLs in the script are XML namespace names (Preact's SVG and MathML), never fetched
    expect(new Set(js.match(/https?:\/\/[^"'`\s)]+/g))).toEqual(
      new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1998/Math/MathML', 'http://www.w3.org/1999/xhtml']),
    )
    expect(js).not.toMatch(/\bimport\s*\(|from\s*["']https?:/)
    expect(css).not.toMatch(/url\(|@import|@font-face/)
  })
})

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { UiError } from './errors.ts'

const pageDir = fileURLToPath(new URL('../page/', import.meta.url))

/**
 * The page's TypeScript (Preact + htm) bundled by esbuild when the server starts, in memory: the
 * served script is always built from the sources on disk, so it can never be stale, and nothing is
 * fetched from a CDN. (Plain ES modules would need an import map and one request per module of
 * Preact; one bundle of ~40 kB is simpler to serve under a strict CSP.)
 */
export async function bundlePage(): Promise<{ js: string; css: string }> {
  try {
    const out = await build({
      entryPoints: [`${pageDir}main.ts`],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    })
    return { js: out.outputFiles[0]!.text, css: readFileSync(`${pageDir}style.css`, 'utf8') }
  } catch (cause) {
    throw new UiError('UI_BUNDLE_FAILED', 'The page could not be built.', {
      cause,
      hint: 'Check packages/ui/page (its TypeScript) and that esbuild is installed.',
    })
  }
}

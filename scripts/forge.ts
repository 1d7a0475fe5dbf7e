/** Runs the npm-installed forge inside contracts/ (offline, solc-js): `tsx scripts/forge.ts test`. */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const result = spawnSync(resolve(root, 'node_modules/.bin/forge'), process.argv.slice(2), {
  cwd: resolve(root, 'contracts'),
  stdio: 'inherit',
})
if (result.error) {
  console.error(
    `Could not run forge: ${result.error.message}. Install dependencies with \`npx -y pnpm@10.34.9 install\`.`,
  )
  process.exit(69)
}
process.exit(result.status ?? 1)

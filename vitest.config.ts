import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
      'circuits/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // examples/scratch is the user's own code (git-ignored): never part of `pnpm test`
    exclude: ['**/node_modules/**', 'examples/scratch/**'],
    // child processes, so a crashed file cannot leave another file's anvil behind
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})

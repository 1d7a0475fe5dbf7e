#!/usr/bin/env node
// A native-solc stand-in for forge, built on solc-js (npm `solc`): forge cannot download a
// compiler on these machines. It answers `--version` and compiles standard JSON from stdin.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const solc = require('solc')
const args = process.argv.slice(2)

if (args.includes('--version')) {
  // forge reads the version from a line of this shape, as native solc prints it
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`)
  process.exit(0)
}
if (!args.includes('--standard-json')) {
  process.stderr.write('contracts/solc.mjs only speaks --standard-json and --version\n')
  process.exit(2)
}
const input = readFileSync(0, 'utf8')
// Sources come inline from forge; a missing import is reported by solc itself.
const findImports = (path) => {
  try {
    return { contents: readFileSync(path, 'utf8') }
  } catch {
    return { error: `File not found: ${path}` }
  }
}
process.stdout.write(solc.compile(input, { import: findImports }))

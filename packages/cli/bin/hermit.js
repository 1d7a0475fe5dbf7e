#!/usr/bin/env node
// The `hermit` binary: Hermit's packages are TypeScript run by tsx, with no build step to forget.
import { register } from 'tsx/esm/api'

register()
await import('../src/bin.ts')

import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic } from './files.ts'

describe('writeFileAtomic', () => {
  it('replaces the file whole, creates missing folders, leaves no temp file and applies the mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-chain-'))
    const path = join(dir, 'a', 'b', 'state.json')
    writeFileAtomic(path, 'first')
    writeFileAtomic(path, new TextEncoder().encode('second'), 0o640)
    expect(readFileSync(path, 'utf8')).toBe('second')
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['state.json'])
    // the mode is that of the first creation of the temp file, masked by the umask
    expect(statSync(path).mode & 0o777 & ~0o640).toBe(0)
  })
})

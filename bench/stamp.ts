/**
 * Stamps for bench/run.ts: when and on what code a section was measured, and whether that code
 * has changed since (git: the commit, and a fingerprint of the measured paths in the working tree).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from './lib.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

export type Machine = { cpus: number; cpu: string; node: string; platform: string }
/** When and on what code a section was measured. */
export type Stamp = {
  measuredAt: string
  /** HEAD when the run started (null outside a git checkout). */
  commit: string | null
  /** Repository paths whose code the figures depend on. */
  paths: string[]
  /** sha256 over (path, git blob hash) of every file under `paths` in the working tree, at the start of the run. */
  fingerprint: string | null
  /** Files under `paths` that differed from `commit` (uncommitted or untracked) when the run started, with their blob. */
  uncommitted: Array<{ path: string; blob: string | null }>
  machine: Machine
}
export type Section = { file: string; title: string; stamp?: Stamp; results: BenchResult[] }
export type StoredResult = BenchResult & { file: string; section?: string }
/** results.json. v1 had only `generatedAt`, `machine` and `results`; v2 adds `schema` and `sections`. */
export type Stored = {
  schema?: string
  generatedAt?: string
  machine?: Machine
  sections?: Array<
    { file: string; title: string } & Partial<Omit<Stamp, 'uncommitted'>> & {
        uncommitted?: Array<string | Stamp['uncommitted'][number]>
      }
  >
  results: StoredResult[]
}

export const git = (args: string[], input?: string): string | null => {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      input,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'ignore'],
    })
  } catch {
    return null
  }
}
const head = (): string | null => git(['rev-parse', 'HEAD'])?.trim() ?? null
const lines = (s: string | null) => (s ?? '').split('\n').filter((l) => l !== '')

/** Working-tree blob hashes (git hash-object) of `files`; null for a file that is not there. */
function workBlobs(files: string[]): Map<string, string | null> {
  const out = new Map<string, string | null>()
  const present = files.filter((f) => existsSync(join(root, f)) && statSync(join(root, f)).isFile())
  const hashes = present.length > 0 ? lines(git(['hash-object', '--stdin-paths'], `${present.join('\n')}\n`)) : []
  if (hashes.length !== present.length) throw new Error('git hash-object failed')
  for (const f of files) out.set(f, null)
  present.forEach((f, k) => out.set(f, hashes[k]!))
  return out
}

export function fingerprint(paths: string[]): string | null {
  const listed = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...paths])
  if (listed === null) return null
  const blobs = workBlobs([...new Set(listed.split('\0').filter((f) => f !== ''))].sort())
  const h = createHash('sha256')
  for (const [f, blob] of blobs) if (blob !== null) h.update(`${f}\0${blob}\n`)
  return h.digest('hex')
}

/** Files under `paths` that differ from HEAD (modified, added, deleted, untracked), with their working-tree blob. */
export function uncommitted(paths: string[]): Array<{ path: string; blob: string | null }> {
  const files = lines(git(['status', '--porcelain', '--untracked-files=all', '--no-renames', '--', ...paths])).map(
    (l) => l.slice(3).replace(/^"(.*)"$/, '$1'),
  )
  const blobs = workBlobs(files)
  return files.map((path) => ({ path, blob: blobs.get(path) ?? null }))
}

export const machine: Machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
}

export function stampFor(file: string, measures: readonly string[]): Stamp {
  const paths = [...new Set([`bench/${file}`, 'bench/lib.ts', ...measures])]
  for (const p of paths)
    if (!existsSync(join(root, p))) throw new Error(`${file}: measured path ${p} does not exist in the repository`)
  const commit = head()
  return {
    measuredAt: new Date().toISOString(),
    commit,
    paths,
    fingerprint: fingerprint(paths),
    uncommitted: commit === null ? [] : uncommitted(paths),
    machine,
  }
}

const list = (files: string[]) =>
  files
    .slice(0, 5)
    .map((f) => `\`${f}\``)
    .join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '')

/**
 * null when the section measures the code as it is now; otherwise why it is stale: the files whose
 * content differs from the measured one (the commit's blob, or the stamped blob of a file that was
 * uncommitted then), split into the commits since the measured one that touched them and the
 * changes not committed yet.
 */
export function staleness(s: Section): string | null {
  const st = s.stamp
  if (!st) return 'it was measured before sections were stamped with their commit, so what it measured is unknown'
  const now = fingerprint(st.paths)
  if (now !== null && st.fingerprint !== null && now === st.fingerprint) return null
  if (now === null || st.fingerprint === null || st.commit === null)
    return 'its code could not be fingerprinted with git'
  if (git(['merge-base', '--is-ancestor', st.commit, 'HEAD']) === null)
    return `the code it measures may have changed: its commit ${st.commit.slice(0, 10)} is not in the current history`
  // the measured content of every file that may differ now
  const measured = new Map<string, string | null>()
  for (const u of st.uncommitted) measured.set(u.path, u.blob)
  const committed = lines(git(['diff', '--name-only', '--no-renames', st.commit, 'HEAD', '--', ...st.paths]))
  const dirtyNow = uncommitted(st.paths).map((u) => u.path)
  const candidates = [...new Set([...measured.keys(), ...committed, ...dirtyNow])].sort()
  const current = workBlobs(candidates)
  const changed = candidates.filter((f) => {
    const then = measured.has(f)
      ? measured.get(f)!
      : (git(['rev-parse', '--verify', '-q', `${st.commit}:${f}`])?.trim() ?? null)
    return then !== current.get(f)
  })
  const why: string[] = []
  const commits =
    changed.length > 0 ? lines(git(['log', '--format=%h %s', `${st.commit}..HEAD`, '--', ...changed])) : []
  if (commits.length > 0) {
    const [latest] = commits
    const subject = latest!.slice(latest!.indexOf(' ') + 1)
    const short = subject.length > 72 ? `${subject.slice(0, 72)}…` : subject
    const hash = latest!.slice(0, latest!.indexOf(' '))
    why.push(
      commits.length === 1
        ? `commit ${hash} ("${short}") changed it`
        : `${commits.length} commits since the measured one changed it, the latest ${hash} ("${short}")`,
    )
  }
  const pending = changed.filter((f) => dirtyNow.includes(f))
  if (pending.length > 0) why.push(`uncommitted changes to ${list(pending)}`)
  if (why.length === 0) why.push('the files it measures differ from the ones measured')
  return `the code it measures changed after it was measured (${list(changed)}): ${why.join('; ')}`
}

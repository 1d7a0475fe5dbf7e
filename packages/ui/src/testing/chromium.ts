/**
 * TEST SCAFFOLDING: Debian's headless Chromium for the browser tests, found or installed once.
 * A fresh CI machine has none: the first test file to need it runs `apt-get install chromium` under
 * a lock in the temp folder, so two test processes never run apt at once.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser } from 'puppeteer-core'
import { UiError } from '../errors.ts'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const LOCK = join(tmpdir(), 'hermit-chromium-install.lock')
const STALE_LOCK_MS = 15 * 60_000
/** How long a first launch may take when it has to install Chromium (apt-get update + install). */
export const CHROMIUM_INSTALL_MS = 10 * 60_000

/**
 * Without the background-networking flags Chromium phones home at start (updates, sync, safe
 * browsing), which a closed network refuses; the rest keep a test browser plain and quiet.
 * Puppeteer adds `--headless` itself (`headless: true`).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const

const found = () => [process.env.HERMIT_CHROMIUM, ...CANDIDATES].find((p): p is string => !!p && existsSync(p))

function install(): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new UiError('UI_CHROMIUM_MISSING', 'Chromium is not installed, and only root can install it.', {
      hint: 'Run `apt-get update && apt-get install -y chromium` as root, or set HERMIT_CHROMIUM to a Chromium binary.',
    })
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  // another package's test setup (PostgreSQL) may hold apt's lock: wait for it rather than fail
  const wait = ['-o', 'DPkg::Lock::Timeout=600']
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', [...wait, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 })
    if (r.status !== 0)
      throw new UiError('UI_CHROMIUM_MISSING', `apt-get ${args[0]} failed (exit ${r.status}).`, {
        hint: String(r.stderr).trim().split('\n').slice(-3).join(' '),
      })
  }
}

/**
 * The Chromium binary: $HERMIT_CHROMIUM, Debian's, or Debian's installed now (once, under a lock).
 * An install takes minutes: callers give the hook that launches it a timeout of that order (CHROMIUM_INSTALL_MS).
 */
export async function chromiumPath(): Promise<string> {
  for (;;) {
    const path = found()
    if (path) return path
    try {
      mkdirSync(LOCK) // atomic: exactly one process gets it
    } catch {
      // another process is installing: wait for it (or take over a lock its crash left behind)
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_LOCK_MS)
        rmSync(LOCK, { recursive: true, force: true })
      await new Promise((r) => setTimeout(r, 1000))
      continue
    }
    try {
      if (!found()) install()
      if (!found())
        throw new UiError('UI_CHROMIUM_MISSING', `apt-get installed chromium, but not at ${CANDIDATES.join(' or ')}.`, {
          hint: 'Set HERMIT_CHROMIUM to the Chromium binary.',
        })
    } finally {
      rmSync(LOCK, { recursive: true, force: true })
    }
  }
}

/** A headless Chromium with a fresh profile, removed when the browser closes. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumPath()
  const userDataDir = mkdtempSync(join(tmpdir(), 'hermit-chromium-'))
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir,
    args: [...CHROMIUM_FLAGS],
    defaultViewport: { width: 1000, height: 800 },
  })
  // after the process is gone: while it shuts down it still writes to the profile
  browser.process()?.once('exit', () => {
    try {
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 })
    } catch {
      // a leftover profile in the temp folder is harmless
    }
  })
  return browser
}

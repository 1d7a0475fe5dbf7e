import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs'

/** Is process `pid` alive (EPERM: alive, owned by someone else)? Used to take over stale locks. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the lock file at `path` only if it still holds `staleContent` (written by a process that
 * is dead). A second "takeover" lock (an atomic mkdir) makes the read-compare-unlink one step, so
 * two waiters can never both take over: one would otherwise delete the other's fresh lock.
 * Returns true when the caller may retry creating the lock.
 */
export function takeOverStaleLock(path: string, staleContent: string, beforeRelease?: () => void): boolean {
  const guard = `${path}.takeover`
  try {
    mkdirSync(guard)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    // a takeover whose process died inside this tiny window: give up on it after a while
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5_000) rmdirSync(guard)
    } catch {
      /* someone else cleaned it */
    }
    return false
  }
  try {
    let current: string
    try {
      current = readFileSync(path, 'utf8')
    } catch {
      return true // already gone
    }
    if (current === staleContent) {
      beforeRelease?.()
      unlinkSync(path)
    }
    return true
  } finally {
    rmdirSync(guard)
  }
}

/**
 * Creates `path` holding our pid, only if it does not exist. Otherwise returns what it holds,
 * so the caller can decide whether its owner is alive; a stale file is removed with
 * takeOverStaleLock.
 */
export function claimPidFile(path: string): { claimed: true } | { claimed: false; content: string | null } {
  try {
    const fd = openSync(path, 'wx', 0o600)
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return { claimed: true }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  try {
    return { claimed: false, content: readFileSync(path, 'utf8') }
  } catch {
    return { claimed: false, content: null } // released meanwhile: try again
  }
}

import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import pg from 'pg'
import { ZkPayError } from '../errors.ts'
import { claimPidFile, processAlive, takeOverStaleLock } from '../fsutil.ts'

/** A throwaway PostgreSQL server for one test file. */
export type PostgresServer = {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, local only). */
  url: string
  dataDir: string
  /** A new empty database on this server (name: lowercase letters, digits, _), as a URL. */
  createDatabase(name: string): Promise<string>
  /** Stops the server (fast shutdown) and removes its data directory. */
  stop(): Promise<void>
  /** Stops and starts it again on the same port and data: what a database restart looks like to its clients. */
  restart(): Promise<void>
}

/** The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (newest first). */
export function findPostgresBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    if (dir && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dir
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'pg_ctl'))) return join(root, v, 'bin')
  return undefined
}

const isRoot = () => process.getuid?.() === 0

/** Debian's postgresql package, installed once per machine: a lock file keeps two test files from running apt at once. */
async function installPostgres(): Promise<string> {
  if (!isRoot())
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'PostgreSQL is not installed and this process cannot install it.', {
      hint: 'Install it (apt-get install -y postgresql), or run the tests as root so they install it themselves.',
    })
  const lock = join(tmpdir(), 'hermit-postgres-install.lock')
  for (;;) {
    const state = claimPidFile(lock)
    if (state.claimed) break
    const pid = Number(state.content?.trim() || '0')
    if (state.content !== null && !(pid > 0 && processAlive(pid))) takeOverStaleLock(lock, state.content)
    // another test file is installing: wait for it (apt takes a while), then look again
    else await new Promise((r) => setTimeout(r, 500))
    const bin = findPostgresBin()
    if (bin) return bin
  }
  try {
    const found = findPostgresBin()
    if (found) return found
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    // another package's test setup (Chromium) may hold apt's lock: wait for it rather than fail
    const wait = ['-o', 'DPkg::Lock::Timeout=600']
    execFileSync('apt-get', [...wait, 'update'], { stdio: 'ignore', env })
    execFileSync('apt-get', [...wait, 'install', '-y', '--no-install-recommends', 'postgresql'], {
      stdio: 'ignore',
      env,
    })
  } catch (cause) {
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'Installing PostgreSQL with apt-get failed.', {
      cause,
      hint: 'Install it by hand: apt-get update && apt-get install -y postgresql.',
    })
  } finally {
    rmSync(lock, { force: true })
  }
  const bin = findPostgresBin()
  if (!bin) throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'apt-get installed postgresql but no pg_ctl was found.')
  return bin
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (the server refuses to run as root). */
function runPg(bin: string, tool: string, args: string[]): void {
  const command = isRoot() ? 'runuser' : join(bin, tool)
  const argv = isRoot() ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args
  const r = spawnSync(command, argv, { encoding: 'utf8', cwd: tmpdir() })
  if (r.status !== 0)
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', `${tool} failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`)
}

/**
 * A PostgreSQL server in a temporary data directory on a free port of 127.0.0.1, trust auth for
 * local connections only, run as the `postgres` user; installs Debian's package first if there is
 * none. One per test file: `stop()` in afterAll.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin() ?? (await installPostgres())
  const dataDir = mkdtempSync(join(tmpdir(), 'hermit-pg-'))
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dataDir, uid, gid)
  }
  runPg(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  let port = 0
  const start = async () => {
    // a port taken between our probe and the server's bind: pick another
    for (let attempt = 0; ; attempt++) {
      port ||= await freePort()
      const opts = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=200`
      try {
        runPg(bin, 'pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start'])
        return
      } catch (e) {
        if (attempt >= 3) throw e
        port = 0
      }
    }
  }
  const stopServer = () => {
    if (existsSync(join(dataDir, 'postmaster.pid'))) runPg(bin, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
  }
  // a test process that dies without afterAll must not leave a server behind
  const onExit = () => {
    try {
      stopServer()
    } catch {
      /* best effort */
    }
  }
  process.once('exit', onExit)
  await start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    url,
    dataDir,
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name))
        throw new ZkPayError('ZKPAY_BAD_OPTIONS', `Not a plain database name: ${name}`)
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try {
        await admin.query(`CREATE DATABASE ${name}`)
      } finally {
        await admin.end()
      }
      return url.replace(/\/postgres$/, `/${name}`)
    },
    stop: async () => {
      process.removeListener('exit', onExit)
      stopServer()
      rmSync(dataDir, { recursive: true, force: true })
    },
    restart: async () => {
      stopServer()
      await start()
    },
  }
}

import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { AnvilNotFoundError, AnvilStartError, DevnetError, ForkError, PortInUseError, redactUrl } from './errors.ts'

export const anvilOptionsSchema = z.strictObject({
  /** 0 (the default) lets the OS pick a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  chainId: z.number().int().positive().optional(),
  accounts: z.number().int().min(1).max(1000).default(10),
  /** Balance of each dev account, in whole ether. */
  balance: z.number().int().positive().default(10_000),
  mnemonic: z.string().optional(),
  /** Seconds between blocks; unset = a block for every transaction (instant mining). */
  blockTime: z.number().positive().optional(),
  hardfork: z.string().optional(),
  fork: z
    .strictObject({
      url: z.url({ protocol: /^(https?|wss?)$/ }),
      blockNumber: z.union([z.bigint().nonnegative(), z.number().int().nonnegative()]).optional(),
    })
    .optional(),
  /**
   * Keep no archive state, like most RPCs a wallet has: `true` keeps anvil's default few states,
   * a number at most that many (anvil's `--prune-history <n>`). Old blocks' state is then refused.
   */
  pruneHistory: z.union([z.literal(true), z.number().int().positive()]).optional(),
  anvilPath: z.string().min(1).optional(),
  startTimeoutMs: z.number().int().positive().default(30_000),
})
export type AnvilOptions = z.input<typeof anvilOptionsSchema>

export type AnvilProcess = {
  readonly pid: number
  readonly host: string
  readonly port: number
  readonly rpcUrl: string
  /** Resolves once anvil has exited (after `stop()` or on its own). */
  readonly exited: Promise<void>
  /** How anvil ended, once it has: undefined while it runs. */
  readonly exit: AnvilExit | undefined
  stop(): Promise<void>
}

/** How an anvil process ended: by `stop()`, or on its own (then its last stderr lines say why, if anvil did). */
export type AnvilExit = {
  code: number | null
  signal: NodeJS.Signals | null
  /** Ended by `stop()`. */
  stopped: boolean
  /** The end of what anvil wrote to stderr, URLs redacted to scheme and host. */
  stderr: string
}

/** Finds the native anvil binary that @foundry-rs/anvil ships in its platform package. */
export function resolveAnvilBinary(explicit?: string): string {
  if (explicit !== undefined) {
    if (!isExecutable(explicit)) throw new AnvilNotFoundError(explicit)
    return explicit
  }
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`
  const tried = `${platformPackage}/bin/anvil`
  try {
    const require = createRequire(import.meta.url)
    const wrapper = require.resolve('@foundry-rs/anvil/package.json')
    const fromWrapper = createRequire(wrapper)
    const bin = join(dirname(fromWrapper.resolve(`${platformPackage}/package.json`)), 'bin', 'anvil')
    if (isExecutable(bin)) return bin
    throw new AnvilNotFoundError(bin)
  } catch (cause) {
    if (cause instanceof AnvilNotFoundError) throw cause
    throw new AnvilNotFoundError(tried, { cause })
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/** Anvil processes still running in this process (for tests and diagnostics). */
export function liveAnvilPids(): number[] {
  return [...live].map((c) => c.pid).filter((p): p is number => p !== undefined)
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Synchronous last chance on a normal exit (also after an uncaught exception).
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL')
  })
}

/**
 * A watchdog that outlives nothing: it blocks reading a pipe whose other end only this process
 * holds. When this process dies in any way (even SIGKILL), the pipe closes and the watchdog ends
 * anvil. No signal handlers are installed, so the host application keeps its own.
 */
function startWatchdog(pid: number): ChildProcess {
  const dog = spawn('sh', ['-c', 'cat >/dev/null; kill -KILL "$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  dog.unref()
  ;(dog.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  dog.on('error', () => {})
  return dog
}

function buildArgs(options: z.output<typeof anvilOptionsSchema>): string[] {
  const args = [
    '--host',
    options.host,
    '--port',
    String(options.port),
    '--accounts',
    String(options.accounts),
    '--balance',
    String(options.balance),
  ]
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
  if (options.mnemonic !== undefined) args.push('--mnemonic', options.mnemonic)
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  if (options.hardfork !== undefined) args.push('--hardfork', options.hardfork)
  if (options.fork !== undefined) {
    args.push('--fork-url', options.fork.url)
    if (options.fork.blockNumber !== undefined) args.push('--fork-block-number', String(options.fork.blockNumber))
  }
  // last: the flag's value is optional, so a bare flag must not swallow the next argument
  if (options.pruneHistory === true) args.push('--prune-history')
  else if (options.pruneHistory !== undefined) args.push('--prune-history', String(options.pruneHistory))
  return args
}

/** Starts a real anvil and resolves once its JSON-RPC answers. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilProcess> {
  const parsed = anvilOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new DevnetError(
      'DEVNET_BAD_OPTIONS',
      `Invalid devnet option ${issue?.path.join('.') || ''}: ${issue?.message}`,
      {
        hint: 'See AnvilOptions in @hermit/devnet.',
        cause: parsed.error,
      },
    )
  }
  const settings = parsed.data
  const bin = resolveAnvilBinary(settings.anvilPath)
  installExitHook()

  const child = spawn(bin, buildArgs(settings), { stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) {
    const error = await new Promise<Error>((r) => child.once('error', r))
    throw new AnvilStartError('DEVNET_ANVIL_SPAWN_FAILED', `Could not start anvil: ${error.message}`, { cause: error })
  }
  live.add(child)
  const watchdog = startWatchdog(child.pid)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  let stopping = false
  let exit: AnvilExit | undefined
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, stopped: stopping, stderr: redactUrls(stderr.trim()).slice(-1_000) }
      live.delete(child)
      watchdog.kill('SIGKILL')
      resolveExit()
    })
  })

  // Anvil prints its banner (with the well-known dev keys) to stdout: we read only the
  // "Listening on" line from it and keep none of it.
  const listening = new Promise<{ host: string; port: number }>((resolveListen, rejectListen) => {
    let buffered = ''
    const onData = (chunk: string) => {
      buffered = (buffered + chunk).slice(-2000)
      const m = /Listening on ([^\s]+):(\d+)/.exec(buffered)
      if (m) {
        buffered = ''
        resolveListen({ host: m[1]!, port: Number(m[2]) })
      }
    }
    child.stdout!.setEncoding('utf8').on('data', onData)
    void exited.then(() => rejectListen(startFailure(settings, stderr)))
  })
  const timeout = new Promise<never>((_, rejectTimeout) => {
    const t = setTimeout(
      () =>
        rejectTimeout(
          new AnvilStartError(
            'DEVNET_ANVIL_START_TIMEOUT',
            `anvil did not start listening within ${settings.startTimeoutMs} ms.`,
            {
              hint: settings.fork
                ? 'A fork waits on its upstream RPC: check that it answers, or raise startTimeoutMs.'
                : 'Raise startTimeoutMs on a slow machine.',
            },
          ),
        ),
      settings.startTimeoutMs,
    )
    t.unref()
    void exited.then(() => clearTimeout(t))
  })

  let address: { host: string; port: number }
  try {
    address = await Promise.race([listening, timeout])
  } catch (error) {
    child.kill('SIGKILL')
    await exited
    throw error
  }
  // From here on anvil must not keep the host process alive, nor block on a full stdout pipe.
  child.unref()
  ;(child.stdout as unknown as { unref?: () => void }).unref?.()
  ;(child.stderr as unknown as { unref?: () => void }).unref?.()

  const rpcUrl = `http://${address.host}:${address.port}`
  const proc: AnvilProcess = {
    pid: child.pid,
    host: address.host,
    port: address.port,
    rpcUrl,
    exited,
    get exit() {
      return exit
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited
      stopping = true
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(t)
    },
  }
  return proc
}

function startFailure(options: z.output<typeof anvilOptionsSchema>, stderr: string): DevnetError {
  const text = stderr.trim()
  if (/address already in use/i.test(text)) return new PortInUseError(options.host, options.port)
  if (options.fork !== undefined && /fork|chain id|block|error sending request|connect/i.test(text)) {
    return new ForkError(options.fork.url, firstLine(text))
  }
  return new AnvilStartError(
    'DEVNET_ANVIL_EXITED',
    `anvil exited before it was ready: ${firstLine(text) || 'no output'}`,
    {
      details: { stderr: text },
    },
  )
}

function firstLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  // anvil prints "Error: <what>" then "Context:" lines with the root cause last
  const what = lines[0]?.replace(/^Error:\s*/, '') ?? ''
  const root = lines
    .filter((l) => l.startsWith('- Error #'))
    .pop()
    ?.replace(/^- Error #\d+:\s*/, '')
  return root && root !== what ? `${what} (${root})` : what
}

/** Every http(s) or ws(s) URL in `text`, redacted to its scheme and host (a fork URL may carry a key). */
function redactUrls(text: string): string {
  return text.replace(/\b(?:https?|wss?):\/\/[^\s"'<>]+/g, (url) => redactUrl(url))
}

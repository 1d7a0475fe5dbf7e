import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseUnits, type HDAccount } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { serializeDeployments, type Devnet } from '@hermit/devnet'
import { REGISTRATION_TYPE, registerAgent, registriesFromDeployments, type Erc8004Client } from '@hermit/erc8004'
import { escrowFromDeployments, type Escrow } from '../handle.ts'
import { escrowId } from '../job-request.ts'

/** An amount of the devnet's dUSD (6 decimals) in base units: `usd('2.5')` is 2_500_000n. */
export const usd = (v: string): bigint => parseUnits(v, 6)

export type DevnetParty = { account: HDAccount; escrow: Escrow; erc8004: Erc8004Client; dataDir: string }

/** Dev account `index` as a party to jobs: escrow and ERC-8004 handles signing as it, a data folder, and `dUSD` to spend. */
export async function devnetParty(
  devnet: Devnet,
  index: number,
  options: { mint?: string; dataDir?: string } = {},
): Promise<DevnetParty> {
  const account = devnet.accounts[index]!
  const walletClient = devnet.walletFor(account)
  const escrow = escrowFromDeployments(devnet.deployments, { publicClient: devnet.publicClient, walletClient })
  const erc8004: Erc8004Client = {
    publicClient: devnet.publicClient,
    walletClient,
    registries: registriesFromDeployments(devnet.deployments),
  }
  const amount = parseUnits(options.mint ?? '1000', 6)
  if (amount > 0n) {
    const hash = await walletClient.writeContract({
      address: devnet.deployments.contracts.DevToken!.address,
      abi: devTokenAbi,
      functionName: 'mint',
      args: [account.address, amount],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
  }
  return { account, escrow, erc8004, dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), `hermit-agent-${index}-`)) }
}

/**
 * Registers `party` as an ERC-8004 agent offering `skill` at `price` (base units of the escrow's
 * token) on the devnet's escrow, with an endpoint nothing listens on: enough to be found, not to work.
 */
export async function registerListedProvider(
  devnet: Devnet,
  party: DevnetParty,
  options: { skill?: string; price?: bigint; name?: string } = {},
): Promise<{ agentId: bigint }> {
  const skill = options.skill ?? 'summarize'
  return registerAgent(party.erc8004, {
    registration: {
      type: REGISTRATION_TYPE,
      name: options.name ?? 'Summarizer',
      description: 'x',
      active: true,
      services: [
        {
          name: 'hermit-job',
          endpoint: 'http://127.0.0.1:9',
          skills: [skill],
          escrow: escrowId(devnet.chainId, party.escrow.address),
          prices: { [skill]: String(options.price ?? 3_000_000n) },
        },
      ],
    },
  })
}

/** Moves the chain's clock past `timestamp` (the devnet mines a block with the new time). */
export async function advanceChainPast(devnet: Devnet, timestamp: bigint): Promise<void> {
  const now = (await devnet.publicClient.getBlock({ blockTag: 'latest' })).timestamp
  if (now <= timestamp) await devnet.testClient.increaseTime({ seconds: Number(timestamp - now) + 1 })
  await devnet.testClient.mine({ blocks: 1 })
}

/** A provider event as a `spawnProvider` process reports it (bigints as decimal strings). */
export type ProcessEvent = { kind: string; jobId?: string; agentId?: string; [key: string]: unknown }

export type ProviderProcess = {
  pid: number
  agentId: bigint
  url: string
  /** Every line it wrote so far, in order. */
  events: ProcessEvent[]
  /** The first event matching `match` (already seen or to come), or an error after `timeoutMs` or at its exit. */
  waitFor(match: (e: ProcessEvent) => boolean, timeoutMs?: number): Promise<ProcessEvent>
  /** How it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends `signal` (default SIGKILL) to this process only, and waits for it to end. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const script = fileURLToPath(new URL('./provider-process.ts', import.meta.url))

/**
 * Dev account `index` as a provider agent in a child process (`provider-process.ts`), listening on
 * 127.0.0.1 with `dataDir` as its data folder; resolves once it is registered and following its jobs.
 * The child gets the RPC URL, the deployments and the account *index*, never a key.
 */
export async function spawnProvider(
  devnet: Devnet,
  index: number,
  options: { dataDir: string; handler?: 'summarize' | 'hang'; price?: string; readyTimeoutMs?: number },
): Promise<ProviderProcess> {
  const deployments = join(mkdtempSync(join(tmpdir(), 'hermit-deployments-')), 'deployments.json')
  writeFileSync(deployments, serializeDeployments(devnet.deployments))
  const args = ['--rpc', devnet.rpcUrl, '--deployments', deployments, '--account', String(index)]
  args.push('--data', options.dataDir, '--handler', options.handler ?? 'summarize', '--price', options.price ?? '5')
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const events: ProcessEvent[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  let out = ''
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)))
  child.stdout!.on('data', (chunk) => {
    out += chunk
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const text = out.slice(0, nl)
      out = out.slice(nl + 1)
      if (text.startsWith('{')) events.push(JSON.parse(text) as ProcessEvent)
    }
    for (const wake of waiters) wake()
  })
  let ended = false
  void exited.then(() => {
    ended = true
    for (const wake of waiters) wake()
  })
  const waitFor = (match: (e: ProcessEvent) => boolean, timeoutMs = 30_000) =>
    new Promise<ProcessEvent>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`provider process: no such event in ${timeoutMs} ms`)), timeoutMs)
      const done = (error?: Error, event?: ProcessEvent) => {
        clearTimeout(timer)
        waiters.delete(check)
        if (error) reject(error)
        else resolve(event!)
      }
      const check = () => {
        const event = events.find(match)
        if (event) done(undefined, event)
        else if (ended) done(new Error(`provider process ${child.pid} exited first: ${stderr}`))
      }
      waiters.add(check)
      check()
    })
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!ended) child.kill(signal)
    return exited
  }
  try {
    const started = await waitFor((e) => e.kind === 'started', options.readyTimeoutMs ?? 30_000)
    return {
      pid: child.pid!,
      agentId: BigInt(started.agentId!),
      url: String(started.url),
      events,
      waitFor,
      exited,
      kill,
    }
  } catch (error) {
    await kill()
    throw error
  }
}

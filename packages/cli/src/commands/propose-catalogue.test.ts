import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erc20Abi, parseEther, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { devTokenAbi } from '@hermit/contracts'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { saveKeystore, ZkIdentity } from '@hermit/zkpay'
import { devnetPool } from '@hermit/zkpay/testing'
import { ExitCode } from '../exit.ts'
import { runHermit } from '../testing/index.ts'

const net = useDevnet({ world: 'defi' })
const dir = mkdtempSync(join(tmpdir(), 'hermit-propose-catalogue-'))
const PASSWORD = 'correct horse battery'

function files(book: Record<string, string> = {}) {
  const deployments = join(dir, 'deployments.json')
  writeFileSync(deployments, serializeDeployments(net().deployments))
  const bookFile = join(dir, `book-${Math.random()}.json`)
  writeFileSync(bookFile, JSON.stringify({ bob: net().accounts[2]!.address, ...book }))
  const tokens = join(dir, 'tokens.json')
  writeFileSync(tokens, JSON.stringify(defiWorld(net().deployments).tokens))
  return ['--rpc', net().rpcUrl, '--deployments', deployments, '--address-book', bookFile, '--tokens', tokens]
}

const user = () => net().accounts[1]!
const hermit = (args: string[]) =>
  runHermit(['propose', ...args, '--journal', join(dir, `journal-${Math.random()}.json`)], {
    env: {
      HERMIT_MODEL: 'none',
      HERMIT_PRIVATE_KEY: toHex(user().getHdKey().privateKey!),
      HERMIT_KEYSTORE_PASSWORD: PASSWORD,
    },
  })
const abiFile = (json: string) => {
  const file = join(dir, `abi-${Math.random()}.json`)
  writeFileSync(file, json)
  return file
}

/** Each run starts the CLI (tsx); on a loaded machine that alone can take seconds. */
const SLOW = { timeout: 90_000 }

describe('hermit propose: --abi, --zk-identity and --tickets-file', () => {
  it('--abi: a function of the file is called and lands (exit 0)', SLOW, async () => {
    const token = net().deployments.contracts.DevToken!.address
    const abi = abiFile(JSON.stringify({ abi: devTokenAbi }))
    const balance = () =>
      net().publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user().address],
      })
    const before = await balance()
    const run = await hermit([
      `call mint with ${user().address} and 3000000 on ${token}`,
      ...files(),
      '--abi',
      abi,
      '--json',
    ])
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(run.stdout)).toMatchObject({ sent: true, proposal: { verdict: 'allow' } })
    expect((await balance()) - before).toBe(3_000_000n)
  })

  it('--abi: a function the file lacks exits 65 and sends nothing', SLOW, async () => {
    const token = net().deployments.contracts.DevToken!.address
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    const unknown = await hermit([`call drain on ${token}`, ...files(), '--abi', abiFile(JSON.stringify(devTokenAbi))])
    expect(unknown.code).toBe(ExitCode.dataError)
    expect(unknown.stderr).toMatch(/no function "drain"/)
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
  })

  it(
    '--zk-identity: a pool deposit for that identity lands and its ticket file is written; without --tickets-file it exits 64 unsent',
    SLOW,
    async () => {
      const { pool } = await devnetPool(net(), { price: parseEther('0.001'), stake: parseEther('0.1') })
      const identity = ZkIdentity.random()
      const keystore = join(dir, `id-${Math.random()}.json`)
      saveKeystore(keystore, identity, PASSWORD, { N: 1024 })
      const ticketsFile = join(dir, `tickets-${Math.random()}.json`)
      const words = 'deposit 0.103 ETH into the credit pool'
      const args = [...files({ 'credit pool': pool.address }), '--zk-identity', keystore]
      const missing = await hermit([words, ...args])
      expect(missing.code).toBe(ExitCode.usage)
      expect(missing.stderr).toMatch(/--tickets-file/)
      const run = await hermit([words, ...args, '--tickets-file', ticketsFile, '--json'])
      expect(run.code, run.stderr).toBe(ExitCode.ok)
      expect(run.stdout).not.toContain(identity.revealSecret().toString())
      const state = JSON.parse(readFileSync(ticketsFile, 'utf8')) as Record<string, unknown>
      expect(state).toMatchObject({ pool: pool.address, tickets: 3, leafIndex: 0, next: 0 })
      expect(existsSync(`${ticketsFile}.pending`)).toBe(false)
    },
  )
})

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { saveAccountKeystore } from '@hermit/chain'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { ExitCode } from '../exit.ts'
import { runHermit } from '../testing/index.ts'

const net = useDevnet({ world: 'defi' })
const dir = mkdtempSync(join(tmpdir(), 'hermit-keys-'))
const PASSWORD = 'a keystore password'
const user = () => net().accounts[1]!
const keyOf = () => toHex(user().getHdKey().privateKey!)
let n = 0
const fresh = () => join(dir, `key-${n++}.json`)

const keys = (args: string[], env: Record<string, string>) => runHermit(['keys', ...args, '--json'], { env })

function proposeArgs() {
  const deployments = join(dir, 'deployments.json')
  writeFileSync(deployments, serializeDeployments(net().deployments))
  const book = join(dir, 'book.json')
  writeFileSync(book, JSON.stringify({ bob: net().accounts[2]!.address }))
  const tokens = join(dir, 'tokens.json')
  writeFileSync(tokens, JSON.stringify(defiWorld(net().deployments).tokens))
  return ['--rpc', net().rpcUrl, '--deployments', deployments, '--address-book', book, '--tokens', tokens]
}

// each test runs the CLI (a process each, scrypt at 2^17 for `keys import`): slower than the 30 s default on a loaded machine
describe('hermit keys and propose --keystore', { timeout: 120_000 }, () => {
  it('keys import encrypts $HERMIT_PRIVATE_KEY, keys address reads it back; neither key nor password is ever printed', async () => {
    const path = fresh()
    const imported = await keys(['import', '--keystore', path], {
      HERMIT_PRIVATE_KEY: keyOf(),
      HERMIT_KEYSTORE_PASSWORD: PASSWORD,
    })
    expect(imported.code, imported.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(imported.stdout)).toMatchObject({ address: user().address, created: true })
    const shown = await keys(['address', '--keystore', path], {})
    expect(JSON.parse(shown.stdout)).toMatchObject({ address: user().address })
    const again = await keys(['new', '--keystore', path], { HERMIT_KEYSTORE_PASSWORD: PASSWORD })
    expect(again.code).toBe(ExitCode.dataError)
    expect(again.stdout + again.stderr).toMatch(/CHAIN_KEYSTORE_EXISTS/)
    for (const run of [imported, shown, again]) {
      expect(run.stdout + run.stderr).not.toContain(keyOf().slice(2))
      expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    }
  })

  it('propose --keystore signs with the keystore’s account ($HERMIT_PRIVATE_KEY unset) and sends', async () => {
    const path = fresh()
    // written in-process at a low scrypt cost, to keep the test fast; `keys import` is tested above
    saveAccountKeystore(path, keyOf(), PASSWORD, { N: 1024 })
    const bob = net().accounts[2]!.address
    const before = await net().publicClient.getBalance({ address: bob })
    const run = await runHermit(
      [
        'propose',
        'send 0.3 ETH to bob',
        ...proposeArgs(),
        '--keystore',
        path,
        '--json',
        '--journal',
        join(dir, 'j1.json'),
      ],
      { env: { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: '', HERMIT_KEYSTORE_PASSWORD: PASSWORD } },
    )
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(run.stdout)).toMatchObject({ sent: true, proposal: { user: user().address } })
    expect((await net().publicClient.getBalance({ address: bob })) - before).toBe(parseEther('0.3'))
    expect(run.stdout + run.stderr).not.toContain(keyOf().slice(2))
  })

  it('a wrong keystore password is a typed error (exit 65), shows no secret, and nothing is sent', async () => {
    const path = fresh()
    // written in-process at a low scrypt cost, to keep the test fast; `keys import` is tested above
    saveAccountKeystore(path, keyOf(), PASSWORD, { N: 1024 })
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    const run = await runHermit(
      [
        'propose',
        'send 0.3 ETH to bob',
        ...proposeArgs(),
        '--keystore',
        path,
        '--json',
        '--journal',
        join(dir, 'j2.json'),
      ],
      { env: { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: '', HERMIT_KEYSTORE_PASSWORD: 'wrong password here' } },
    )
    expect(run.code).toBe(ExitCode.dataError)
    expect(run.stdout + run.stderr).toMatch(/CHAIN_KEYSTORE_WRONG_PASSWORD/)
    expect(run.stdout + run.stderr).not.toContain('wrong password here')
    expect(run.stdout + run.stderr).not.toContain(keyOf().slice(2))
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
  })
})

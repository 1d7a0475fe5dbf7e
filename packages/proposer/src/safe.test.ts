import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { concat, erc20Abi, parseEther, parseUnits, recoverAddress, zeroAddress, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defiWorld, safeAbi, safeCall, safeTxTypedData } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { providerFromSpec } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from '@hermit/llm/testing'
import { propose } from './propose.ts'
import { splitSafeWords } from './safe.ts'
import { sendProposal } from './send.ts'
import { createSafe, proposeOptions } from './testing/index.ts'

const net = useDevnet({ world: 'defi' })

const journal = () => join(mkdtempSync(join(tmpdir(), 'hermit-proposer-safe-')), 'journal.json')
const owner = () => net().accounts[0]!
const bob = () => net().accounts[2]!.address
const world = () => defiWorld(net().deployments)
const seeded = () => world().safe.account.address

const ethOf = (a: Address) => net().publicClient.getBalance({ address: a })
const usdcOf = (a: Address) =>
  net().publicClient.readContract({ address: world().tokens.USDC, abi: erc20Abi, functionName: 'balanceOf', args: [a] })
const safeNonce = (safe: Address) =>
  net().publicClient.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' })
const onChainHash = (safe: Address, to: Address, value: bigint, data: Hex, nonce: bigint) =>
  net().publicClient.readContract({
    address: safe,
    abi: safeAbi,
    functionName: 'getTransactionHash',
    args: [to, value, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, nonce],
  })

describe('Safe words', () => {
  it('reads the Safe forms of the words: "from my safe …", "safe 0x…: …", "… via safe 0x…"; plain words name none', () => {
    const a = '0x1111111111111111111111111111111111111111'
    expect(splitSafeWords('from my safe send 0.1 ETH to bob')).toEqual({ safe: 'mine', words: 'send 0.1 ETH to bob' })
    expect(splitSafeWords(`safe ${a}: transfer 10 USDC to bob`)).toEqual({ safe: a, words: 'transfer 10 USDC to bob' })
    expect(splitSafeWords(`send 1 ETH to bob via safe ${a}`)).toEqual({ safe: a, words: 'send 1 ETH to bob' })
    expect(splitSafeWords('send 0.1 ETH to bob from my safe')).toEqual({ safe: 'mine', words: 'send 0.1 ETH to bob' })
    expect(splitSafeWords('send 0.1 ETH to safe.eth')).toBeNull()
    expect(splitSafeWords('send 0.1 ETH to bob')).toBeNull()
  })
})

describe('Safe transaction proposals on the devnet’s real Safe 1.4.1', () => {
  it('1-of-1: "from my safe send 0.1 ETH to bob" is signed (EIP-712) by the owner, checked with the Safe as holder, executed', async () => {
    const safe = seeded()
    const nonce = await safeNonce(safe)
    const p = await propose('from my safe send 0.1 ETH to bob', {
      ...proposeOptions(net(), owner(), { bob: bob() }),
      safe,
      signer: owner(),
    })
    expect(p.steps.map((s) => s.action.kind)).toEqual(['safe.exec'])
    expect(p.safe).toMatchObject({ address: safe, threshold: 1, nonce, missing: 0 })
    // the hash Hermit signed is the Safe's own getTransactionHash, and the signature is the owner's
    expect(p.safe!.safeTxHash).toBe(await onChainHash(safe, bob(), parseEther('0.1'), '0x', nonce))
    const [sig] = p.safe!.signatures
    expect(sig!.form).toBe('eip712')
    expect(await recoverAddress({ hash: p.safe!.safeTxHash, signature: sig!.signature })).toBe(owner().address)
    // txguard saw the Safe's ETH leave for bob, matching the words
    expect(p.steps[0]!.report.changes.find((c) => c.holder === safe)?.delta).toBe(-parseEther('0.1'))
    expect(p.verdict).toBe('allow')
    const before = { safe: await ethOf(safe), bob: await ethOf(bob()) }
    const r = await sendProposal(p, { client: net().publicClient, account: owner(), journal: journal() })
    expect(r.sent.map((s) => s.status)).toEqual(['success'])
    expect(before.safe - (await ethOf(safe))).toBe(parseEther('0.1'))
    expect((await ethOf(bob())) - before.bob).toBe(parseEther('0.1'))
    expect(await safeNonce(safe)).toBe(nonce + 1n)
    expect(r.differences).toEqual([])
  })

  it('"safe 0x…: transfer 10 USDC to bob" without the key: the pre-validated owner signature, executed by the owner', async () => {
    const safe = seeded()
    const p = await propose(`safe ${safe}: transfer 10 USDC to bob`, proposeOptions(net(), owner(), { bob: bob() }))
    expect(p.safe!.signatures[0]!.form).toBe('pre-validated')
    expect(p.verdict).toBe('allow')
    const before = await usdcOf(safe)
    const r = await sendProposal(p, { client: net().publicClient, account: owner(), journal: journal() })
    expect(r.sent[0]!.status).toBe('success')
    expect(before - (await usdcOf(safe))).toBe(parseUnits('10', 6))
    expect(await usdcOf(bob())).toBe(parseUnits('10', 6))
    expect(r.differences).toEqual([])
  })

  it('2-of-2 (made through the real proxy factory): the proposal gives the safeTxHash and one signature, 1 more needed, nothing sent', async () => {
    const [a, b] = [net().accounts[1]!, net().accounts[3]!]
    const safe = await createSafe(net(), [a.address, b.address], 2, parseEther('1'))
    const p = await propose(`from safe ${safe} send 0.25 ETH to bob`, {
      ...proposeOptions(net(), a, { bob: bob() }),
      signer: a,
    })
    expect(p.safe).toMatchObject({ address: safe, threshold: 2, nonce: 0n, missing: 1 })
    expect(p.notes.join(' ')).toMatch(/1 more owner signature needed/)
    expect(p.safe!.safeTxHash).toBe(await onChainHash(safe, bob(), parseEther('0.25'), '0x', 0n))
    // the inner call was simulated as the Safe's own, and checked with the Safe as the holder
    expect(p.steps[0]!.report.changes.find((c) => c.holder === safe)?.delta).toBe(-parseEther('0.25'))
    expect(p.verdict).toBe('allow')
    const nonceOfA = await net().publicClient.getTransactionCount({ address: a.address })
    expect(() => sendProposal(p, { client: net().publicClient, account: a, journal: journal() })).toThrow(
      expect.objectContaining({ code: 'PROPOSER_SAFE_NEEDS_SIGNATURES' }),
    )
    expect(await net().publicClient.getTransactionCount({ address: a.address })).toBe(nonceOfA)
    // the signature is real: with the second owner's, sorted by owner, the Safe executes it
    const typed = safeTxTypedData(safe, net().chain.id, safeCall({ to: bob(), value: parseEther('0.25'), nonce: 0n }))
    const sigs = [
      { owner: a.address, sig: p.safe!.signatures[0]!.signature },
      { owner: b.address, sig: await b.signTypedData(typed) },
    ].sort((x, y) => (BigInt(x.owner) < BigInt(y.owner) ? -1 : 1))
    const before = await ethOf(bob())
    const hash = await net()
      .walletFor(b)
      .writeContract({
        address: safe,
        abi: safeAbi,
        functionName: 'execTransaction',
        args: [
          bob(),
          parseEther('0.25'),
          '0x',
          0,
          0n,
          0n,
          0n,
          zeroAddress,
          zeroAddress,
          concat(sigs.map((s) => s.sig)),
        ],
      })
    expect((await net().publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })).status).toBe('success')
    expect((await ethOf(bob())) - before).toBe(parseEther('0.25'))
  })

  it('refuses a non-owner, "my safe" with none configured, an address that is no Safe, and more than the Safe holds', async () => {
    const safe = seeded()
    const o = proposeOptions(net(), net().accounts[1]!, { bob: bob() })
    await expect(propose(`safe ${safe}: send 0.1 ETH to bob`, o)).rejects.toMatchObject({
      code: 'PROPOSER_SAFE_NOT_OWNER',
    })
    await expect(propose('from my safe send 0.1 ETH to bob', o)).rejects.toMatchObject({
      code: 'PROPOSER_SAFE_UNKNOWN',
    })
    await expect(propose(`safe ${bob()}: send 0.1 ETH to bob`, o)).rejects.toMatchObject({
      code: 'PROPOSER_SAFE_UNKNOWN',
    })
    const mine = { ...proposeOptions(net(), owner(), { bob: bob() }), safe }
    await expect(propose('from my safe send 20 ETH to bob', mine)).rejects.toMatchObject({
      code: 'PROPOSER_INSUFFICIENT_BALANCE',
    })
  })
})

describe('Safe transaction proposals with a model (the scripted model server)', () => {
  const MODEL = 'scripted-safe'
  let server: ScriptedModelServer
  beforeAll(async () => {
    server = await startScriptedModelServer({ models: [MODEL] })
  })
  afterAll(() => server?.close())
  const withModel = (calls: NonNullable<ScriptedReply['toolCalls']>) => {
    server.script([{ toolCalls: calls }, { content: 'done' }])
    return {
      ...proposeOptions(net(), owner(), { bob: bob() }),
      provider: providerFromSpec(`ollama:${MODEL}`, { ollamaHost: server.url }),
      safe: seeded(),
      signer: owner(),
    }
  }

  it('the model reads the inner words; Hermit builds the SafeTx, checks it with the Safe as holder, and it executes', async () => {
    const safe = seeded()
    const p = await propose(
      'from my safe send 0.2 ETH to bob',
      withModel([{ name: 'send', arguments: { asset: 'ETH', amount: '0.2', to: 'bob' } }]),
    )
    expect(p.reading.model.consulted).toBe(true)
    expect(p.steps.map((s) => s.action.kind)).toEqual(['safe.exec'])
    expect(p.steps[0]!.report.changes.find((c) => c.holder === safe)?.delta).toBe(-parseEther('0.2'))
    expect(p.verdict).toBe('allow')
    const before = await ethOf(bob())
    const r = await sendProposal(p, { client: net().publicClient, account: owner(), journal: journal() })
    expect(r.sent.map((s) => s.status)).toEqual(['success'])
    expect((await ethOf(bob())) - before).toBe(parseEther('0.2'))
  })

  it('a model that turns "send 10 USDC" from the Safe into an approval: blocked, and it cannot be sent', async () => {
    const p = await propose(
      'from my safe send 10 USDC to bob',
      withModel([{ name: 'approve', arguments: { token: 'USDC', spender: bob(), amount: '100' } }]),
    )
    expect(p.reading.model.consulted).toBe(true)
    expect(p.verdict).toBe('block')
    const nonce = await safeNonce(seeded())
    expect(() =>
      sendProposal(p, { client: net().publicClient, account: owner(), journal: journal(), yes: true }),
    ).toThrow(expect.objectContaining({ code: 'PROPOSER_BLOCKED' }))
    expect(await safeNonce(seeded())).toBe(nonce)
  })
})

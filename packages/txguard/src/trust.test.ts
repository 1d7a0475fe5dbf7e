/**
 * trust.instant-upgrade: approving to, or depositing into, a contract that one key can upgrade with
 * no delay is at least a warning, with that reason. The benign twins (the same vault behind a
 * timelock or a 2-of-3 Safe, or a vault nobody controls) get no such finding. Real OpenZeppelin
 * proxies and a real Safe on the devnet (@hermit/trust/testing).
 */
import { encodeFunctionData, erc20Abi, parseEther, type Address, type Hex } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { trustVaultV1Abi } from '@hermit/contracts/testbed'
import { deployTrustShapes, type TrustShapes } from '@hermit/trust/testing'
import { formatReport, verify, type Report } from './index.ts'

const net = useDevnet()
let s: TrustShapes
beforeAll(async () => {
  s = await deployTrustShapes(net())
}, 60_000)

const user = () => net().accounts[9]!.address
const token = () => net().deployments.contracts.DevToken!.address

async function check(to: Address, data: Hex, value = 0n): Promise<Report> {
  return verify(
    { chainId: net().chainId, from: user(), to, data, value: value.toString() },
    { client: net().publicClient, historyBlocks: 0 },
  )
}
const approve = (spender: Address) =>
  check(token(), encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, 1_000_000n] }))
const deposit = (vault: Address) =>
  check(vault, encodeFunctionData({ abi: trustVaultV1Abi, functionName: 'deposit' }), parseEther('1'))
const trustFinding = (r: Report) => r.reasons.find((f) => f.id === 'trust.instant-upgrade')

describe('trust.instant-upgrade', () => {
  it('an approval to a UUPS vault one EOA can upgrade now is a warning that says so', async () => {
    const r = await approve(s.uupsEoa)
    const f = trustFinding(r)
    expect(f, formatReport(r)).toMatchObject({ severity: 'warn', evidence: { contract: s.uupsEoa } })
    expect(f!.message).toMatch(
      /^One EOA \(0x\w{4}…\w{4}\) can upgrade 0x\w{4}…\w{4} with no delay: anything you approve to it can be taken\.$/,
    )
    expect(r.verdict).not.toBe('allow')
  })

  it('a deposit of ETH into a transparent proxy whose ProxyAdmin one EOA owns is a warning too', async () => {
    const r = await deposit(s.transparentEoa)
    expect(r.simulation?.success, formatReport(r)).toBe(true)
    expect(trustFinding(r)?.message).toContain('anything you deposit into it can be taken.')
  })

  it('benign twins: the same vault behind a 2-day timelock or a 2-of-3 Safe, or a vault nobody controls, get no such finding', async () => {
    for (const spender of [s.transparentTimelock, s.transparentSafe, s.immutable]) {
      const r = await approve(spender)
      expect(trustFinding(r), formatReport(r)).toBeUndefined()
    }
    const r = await deposit(s.transparentTimelock)
    expect(r.simulation?.success, formatReport(r)).toBe(true)
    expect(trustFinding(r), formatReport(r)).toBeUndefined()
  })
})

/**
 * checkTrust on every devnet shape: real OpenZeppelin proxies, ProxyAdmin, beacon and
 * TimelockController, a real Safe 1.4.1, a Compound-style timelock, an EIP-1167 clone, a diamond,
 * an EIP-7702 delegation, AccessControl roles, and an immutable vault. Each asserts the kind, the
 * holders and the headline.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { checkTrust, formatTrust, trustReportSchema, TrustCache, type TrustReport } from './index.ts'
import { deployTrustShapes, type TrustShapes } from './testing/index.ts'

const net = useDevnet()
let s: TrustShapes
beforeAll(async () => {
  s = await deployTrustShapes(net())
}, 60_000)

async function trust(address: string): Promise<TrustReport> {
  const report = await checkTrust(net().publicClient, address)
  // JSON as it is, and the schema takes back what it gave
  expect(trustReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report)
  return report
}

describe('checkTrust: proxies and who upgrades them', () => {
  it('a UUPS proxy owned by one EOA: one EOA can upgrade it with no delay', async () => {
    const r = await trust(s.uupsEoa)
    expect(r.proxy.kind, formatTrust(r)).toBe('eip1967-uups')
    expect(r.proxy.implementation).toBe(s.uupsImplementation)
    expect(r.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '0', via: 'owner()' })
    expect(r.shortest.upgrade!.route.map((h) => h.address)).toEqual([s.eoa])
    expect(r.instantSingleKeyUpgrade).toBe(true)
    expect(r.summary).toMatch(
      /^One EOA \(0x\w{4}…\w{4}\) can upgrade this contract with no delay: anything you approve to it can be taken\.$/,
    )
  })

  it('a transparent proxy whose ProxyAdmin one EOA owns: one key through the ProxyAdmin, no delay', async () => {
    const r = await trust(s.transparentEoa)
    expect(r.proxy.kind, formatTrust(r)).toBe('eip1967-transparent')
    expect(r.proxy.implementation).toBe(s.implementation)
    const admin = r.powers.find((p) => p.capability === 'upgrade')!
    expect(admin.via).toBe('ERC-1967 admin slot')
    expect(admin.holder).toMatchObject({
      address: r.proxy.admin,
      kind: 'contract',
      controllers: [{ address: s.eoa, kind: 'eoa' }],
    })
    expect(r.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '0' })
    expect(r.instantSingleKeyUpgrade).toBe(true)
    expect(r.summary).toContain('can upgrade this contract with no delay: anything you approve to it can be taken.')
  })

  it('a transparent proxy behind a 2-of-3 Safe: two keys, read from getThreshold/getOwners', async () => {
    const r = await trust(s.transparentSafe)
    const holder = r.powers.find((p) => p.capability === 'upgrade')!.holder
    expect(holder.controllers[0]).toMatchObject({
      address: s.safe,
      kind: 'safe',
      safe: { threshold: 2, owners: s.safeOwners },
    })
    expect(r.shortest.upgrade).toMatchObject({ keys: 2, delaySeconds: '0' })
    expect(r.instantSingleKeyUpgrade).toBe(false)
    expect(r.summary, formatTrust(r)).toMatch(
      /^2 keys .* can upgrade this contract with no delay: anything you approve to it is as safe as those keys\.$/,
    )
  })

  it('a transparent proxy behind an OpenZeppelin TimelockController: one EOA, after its 2-day minimum delay', async () => {
    const r = await trust(s.transparentTimelock)
    const holder = r.powers.find((p) => p.capability === 'upgrade')!.holder
    expect(holder.controllers[0]).toMatchObject({
      address: s.timelock,
      kind: 'timelock',
      timelock: { style: 'openzeppelin', minDelaySeconds: '172800' },
      controllers: [{ address: s.eoa, kind: 'eoa' }],
    })
    expect(r.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '172800' })
    expect(r.instantSingleKeyUpgrade).toBe(false)
    expect(r.summary, formatTrust(r)).toContain('can upgrade this contract only after a 2 days delay')
  })

  it("a timelock whose proposer is a Safe: followed down to the Safe's owners, two keys and one day", async () => {
    const r = await trust(s.transparentSafeTimelock)
    const timelock = r.powers.find((p) => p.capability === 'upgrade')!.holder.controllers[0]!
    expect(timelock).toMatchObject({ kind: 'timelock', controllers: [{ address: s.safe, kind: 'safe' }] })
    expect(timelock.controllers[0]!.controllers.map((c) => c.kind)).toEqual(['eoa', 'eoa', 'eoa'])
    expect(r.shortest.upgrade).toMatchObject({ keys: 2, delaySeconds: '86400' })
  })

  it('a Compound-style timelock (admin, delay): its admin, after 3 days', async () => {
    const r = await trust(s.transparentCompound)
    const timelock = r.powers.find((p) => p.capability === 'upgrade')!.holder.controllers[0]!
    expect(timelock).toMatchObject({ kind: 'timelock', timelock: { style: 'compound', minDelaySeconds: '259200' } })
    expect(r.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '259200' })
  })

  it("a beacon proxy: the beacon's implementation runs, the beacon's owner upgrades", async () => {
    const r = await trust(s.beaconProxy)
    expect(r.proxy, formatTrust(r)).toMatchObject({
      kind: 'beacon',
      beacon: s.beacon,
      implementation: s.implementation,
    })
    const up = r.powers.find((p) => p.capability === 'upgrade')!
    expect(up).toMatchObject({ via: 'beacon', holder: { address: s.beacon, controllers: [{ address: s.eoa }] } })
    expect(r.instantSingleKeyUpgrade).toBe(true)
  })

  it('an EIP-1167 clone is not upgradeable, but its owner can still move funds with no delay', async () => {
    const r = await trust(s.clone)
    expect(r.proxy, formatTrust(r)).toMatchObject({ kind: 'eip1167', implementation: s.implementation })
    expect(r.shortest.upgrade).toBeNull()
    expect(r.shortest.moveFunds).toMatchObject({ keys: 1, delaySeconds: '0', via: 'owner()' })
    expect(r.summary).toMatch(
      /^Nobody can upgrade this contract, but one EOA \(.*\) can move funds out of it with no delay \(owner\(\)\)\.$/,
    )
  })

  it('an EIP-2535 diamond: facets from the loupe, their selectors scanned, the owner cuts', async () => {
    const r = await trust(s.diamond)
    expect(r.proxy, formatTrust(r)).toMatchObject({ kind: 'diamond', facets: [s.facet] })
    expect(r.capabilities.map((c) => c.capability).sort()).toEqual(['mint', 'pause', 'upgrade'])
    expect(r.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '0', via: 'owner()' })
  })

  it("an EIP-7702 delegated EOA: the delegate runs, and the account's own key can re-delegate at any time", async () => {
    const r = await trust(s.delegated)
    expect(r.code, formatTrust(r)).toBe('delegated')
    expect(r.proxy).toMatchObject({ kind: 'eip7702', implementation: s.implementation })
    expect(r.shortest.upgrade).toMatchObject({
      keys: 1,
      delaySeconds: '0',
      route: [{ address: s.delegated, kind: 'delegated-eoa' }],
    })
    expect(r.summary).toContain('can upgrade this account (EIP-7702 delegated EOA) with no delay')
  })
})

describe('checkTrust: powers without a proxy', () => {
  it('AccessControl roles come from RoleGranted logs (checked with hasRole), each mapped to its power', async () => {
    const r = await trust(s.roles)
    expect(r.proxy.kind, formatTrust(r)).toBe('none')
    expect(r.roles.map((x) => [x.name, x.members])).toEqual(
      expect.arrayContaining([
        ['DEFAULT_ADMIN_ROLE', [s.rolesAdmin]],
        ['MINTER_ROLE', [s.eoa]],
        ['PAUSER_ROLE', [s.rolesPauser]],
      ]),
    )
    const holders = (cap: string) => r.powers.filter((p) => p.capability === cap).map((p) => [p.via, p.holder.address])
    expect(holders('mint')).toEqual([
      ['role MINTER_ROLE', s.eoa],
      ['role DEFAULT_ADMIN_ROLE (can grant itself any role)', s.rolesAdmin],
    ])
    expect(holders('pause')[0]).toEqual(['role PAUSER_ROLE', s.rolesPauser])
    expect(r.shortest.upgrade).toBeNull()
    expect(r.summary).toBe('Nobody can upgrade this contract or move its funds; a key holds other powers: pause, mint.')
  })

  it('a revoked role is gone: hasRole is asked, not just the grant log', async () => {
    const { walletFor, accounts, publicClient } = net()
    const admin = walletFor(accounts.find((a) => a.address === s.rolesAdmin)!)
    const minterRole = (await checkTrust(publicClient, s.roles)).roles.find((x) => x.name === 'MINTER_ROLE')!.role
    const hash = await admin.writeContract({
      address: s.roles,
      abi: [
        {
          type: 'function',
          name: 'revokeRole',
          inputs: [{ type: 'bytes32' }, { type: 'address' }],
          outputs: [],
          stateMutability: 'nonpayable',
        },
      ],
      functionName: 'revokeRole',
      args: [minterRole as `0x${string}`, s.eoa],
    })
    await publicClient.waitForTransactionReceipt({ hash })
    const r = await trust(s.roles)
    expect(r.roles.find((x) => x.name === 'MINTER_ROLE')).toBeUndefined()
    expect(r.powers.filter((p) => p.capability === 'mint').map((p) => p.via)).toEqual([
      'role DEFAULT_ADMIN_ROLE (can grant itself any role)',
    ])
  })

  it('an immutable vault with no owner, admin or role: nobody can change it', async () => {
    const r = await trust(s.immutable)
    expect(r.powers, formatTrust(r)).toEqual([])
    expect(r.instantSingleKeyUpgrade).toBe(false)
    expect(r.summary).toBe('Nobody can upgrade or control this contract: no proxy, owner, admin or role found.')
  })

  it('an address with no code is an account, not a contract', async () => {
    const r = await trust(s.eoa)
    expect(r.code).toBe('none')
    expect(r.summary).toBe('No code at this address: an account that whoever holds its key controls.')
  })

  it('a TrustCache answers the same block from memory, and a new block reads again', async () => {
    const cache = new TrustCache()
    const { publicClient, testClient } = net()
    const first = await checkTrust(publicClient, s.uupsEoa, { cache })
    expect(await checkTrust(publicClient, s.uupsEoa, { cache })).toBe(first)
    expect(cache.size).toBe(1)
    await testClient.mine({ blocks: 1 })
    const next = await checkTrust(publicClient, s.uupsEoa, { cache })
    expect(next).not.toBe(first)
    expect(BigInt(next.blockNumber)).toBe(BigInt(first.blockNumber) + 1n)
  })

  it('a string that is not an address is a TRUST_BAD_ADDRESS error with a hint', async () => {
    await expect(checkTrust(net().publicClient, 'not-an-address')).rejects.toMatchObject({
      code: 'TRUST_BAD_ADDRESS',
      hint: expect.any(String),
    })
  })
})

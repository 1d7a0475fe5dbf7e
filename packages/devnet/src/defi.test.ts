import { describe, expect, it } from 'vitest'
import {
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  getContractAddress,
  hashTypedData,
  keccak256,
  parseEther,
  parseUnits,
  type Address,
  type Hex,
} from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from './testing/index.ts'
import { startDevnet } from './devnet.ts'
import { parseDeployments, serializeDeployments, type Deployments } from './deployments.ts'
import { DevnetError } from './errors.ts'
import {
  CREATE2_PROXY,
  DEFI_CONTRACTS,
  create2Address,
  SAFE_FUNDING,
  V2_SEED,
  assertInitCodeHashes,
  defiWorld,
  initCodeChecks,
  nonfungiblePositionManagerAbi,
  quoterV2Abi,
  safeAbi,
  safeCall,
  safeTxTypedData,
  swapRouterAbi,
  uniswapV2FactoryAbi,
  uniswapV2PairAbi,
  uniswapV2Router02Abi,
  uniswapV3PoolAbi,
  weth9Abi,
} from './defi/index.ts'

const net = useDevnet({ world: 'defi' })

/**
 * Swaps get a fixed gas limit: eth_estimateGas runs in a block with the previous timestamp, where a
 * V2 pair skips writing its price accumulators; mined a second later it writes them, and the bare
 * estimate runs out of gas (seen as a flaky revert under load).
 */
const SWAP_GAS = 1_000_000n

/** Every address the world recorded, by a stable key, to compare two starts. */
function addressesOf(d: Deployments): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, c] of Object.entries(d.contracts)) out[`contract:${name}`] = c.address
  const w = d.defi!
  for (const [k, t] of Object.entries(w.tokens)) out[`token:${k}`] = t.address
  for (const [k, p] of Object.entries(w.v2Pairs)) out[`pair:${k}`] = p.address
  for (const [k, p] of Object.entries(w.v3Pools)) out[`pool:${k}`] = `${p.address}#${p.positionId}`
  out.safe = w.safe.address
  return out
}

async function deadline(): Promise<bigint> {
  const block = await net().publicClient.getBlock()
  return block.timestamp + 600n
}

describe('the defi world', () => {
  it('deploys every contract with code, records it in the deployments file, and seeds the prices', async () => {
    const { publicClient, deployments } = net()
    expect(deployments.world).toBe('defi')
    for (const name of DEFI_CONTRACTS) {
      const c = deployments.contracts[name]
      expect(c, name).toBeDefined()
      expect((await publicClient.getCode({ address: c!.address }))?.length, name).toBeGreaterThan(100)
    }
    // the file round-trips through the zod schema with every defi field intact
    expect(parseDeployments(JSON.parse(serializeDeployments(deployments)))).toEqual(deployments)

    const world = defiWorld(deployments)
    const pair = world.uniswapV2.pairs.WETH_USDC!
    const [r0, r1] = await publicClient.readContract({
      address: pair.address,
      abi: uniswapV2PairAbi,
      functionName: 'getReserves',
    })
    const reserves = new Map([
      [pair.token0, r0],
      [pair.token1, r1],
    ])
    expect(reserves.get(world.weth)).toBe(parseEther('100'))
    expect(reserves.get(world.tokens.USDC)).toBe(parseUnits('300000', 6))

    // the V3 position: minted through the position manager at the recorded full-range ticks
    const pool = world.uniswapV3.pools.WETH_USDC_3000!
    const position = await publicClient.readContract({
      address: world.uniswapV3.positionManager,
      abi: nonfungiblePositionManagerAbi,
      functionName: 'positions',
      args: [pool.positionId],
    })
    expect([position[5], position[6]]).toEqual([pool.tickLower, pool.tickUpper])
    expect(position[7]).toBeGreaterThan(0n)
    // tokenURI goes through the real descriptor and its linked NFTDescriptor library
    const uri = await publicClient.readContract({
      address: world.uniswapV3.positionManager,
      abi: nonfungiblePositionManagerAbi,
      functionName: 'tokenURI',
      args: [pool.positionId],
    })
    expect(uri).toMatch(/^data:application\/json;base64,/)
    // the pool's price: 1 ETH = 3,000 USDC (token0 is USDC here: price = WETH wei per USDC unit)
    const [sqrtPriceX96] = await publicClient.readContract({
      address: pool.address,
      abi: uniswapV3PoolAbi,
      functionName: 'slot0',
    })
    const usdcPerEth =
      pool.token0 === world.tokens.USDC
        ? (2n ** 192n * 10n ** 12n) / (sqrtPriceX96 * sqrtPriceX96)
        : (sqrtPriceX96 * sqrtPriceX96 * 10n ** 12n) / 2n ** 192n
    expect(usdcPerEth).toBeGreaterThanOrEqual(2_999n)
    expect(usdcPerEth).toBeLessThanOrEqual(3_000n)

    const safe = world.safe.account
    expect(await publicClient.readContract({ address: safe.address, abi: safeAbi, functionName: 'getOwners' })).toEqual(
      safe.owners,
    )
    expect(safe.owners).toEqual([net().accounts[0]!.address])
    expect(await publicClient.getBalance({ address: safe.address })).toBe(SAFE_FUNDING.eth)
  })

  it('lands at the same addresses on a second start, each created by the CREATE2 proxy from its shipped bytecode', async () => {
    const t0 = performance.now()
    const second = await startDevnet({ world: 'defi' })
    const startMs = performance.now() - t0
    try {
      expect(addressesOf(second.deployments)).toEqual(addressesOf(net().deployments))
      // each contract of the world was created by the CREATE2 proxy from the bytecode its transaction carried
      for (const name of DEFI_CONTRACTS) {
        const c = second.deployments.contracts[name]!
        const tx = await second.publicClient.getTransaction({ hash: c.txHash })
        expect(tx.to, name).toBe(CREATE2_PROXY.toLowerCase())
        expect(create2Address(`0x${tx.input.slice(66)}`, `0x${tx.input.slice(2, 66)}`), name).toBe(c.address)
      }
      expect(Object.keys(addressesOf(second.deployments)).length).toBeGreaterThan(DEFI_CONTRACTS.length)
    } finally {
      await second.stop()
    }
    console.info(`defi world start: ${startMs.toFixed(0)} ms`)
  }, 60_000)

  it('swaps on Uniswap V2 at about the seeded price, exactly as getAmountsOut says', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const world = defiWorld(deployments)
    const alice = walletFor(accounts[1]!)
    const me = accounts[1]!.address
    const router = world.uniswapV2.router02
    const wait = async (hash: Hex) =>
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')

    // 1 ETH → USDC with swapExactETHForTokens
    const ethPath = [world.weth, world.tokens.USDC] as const
    const [, quoted] = await publicClient.readContract({
      address: router,
      abi: uniswapV2Router02Abi,
      functionName: 'getAmountsOut',
      args: [parseEther('1'), [...ethPath]],
    })
    const usdc = (a: Address) =>
      publicClient.readContract({ address: world.tokens.USDC, abi: devTokenAbi, functionName: 'balanceOf', args: [a] })
    const before = await usdc(me)
    await wait(
      await alice.writeContract({
        address: router,
        abi: uniswapV2Router02Abi,
        functionName: 'swapExactETHForTokens',
        args: [quoted!, [...ethPath], me, await deadline()],
        value: parseEther('1'),
        gas: SWAP_GAS,
      }),
    )
    const got = (await usdc(me)) - before
    expect(got).toBe(quoted)
    // 3,000 less the 0.3% fee and the price impact of 1 ETH against 100 ETH of reserves
    expect(got).toBeGreaterThan(parseUnits('2950', 6))
    expect(got).toBeLessThan(parseUnits('2991', 6))

    // 3,000 USDC → DAI with swapExactTokensForTokens on the 1:1 pair
    await wait(
      await alice.writeContract({
        address: world.tokens.USDC,
        abi: devTokenAbi,
        functionName: 'approve',
        args: [router, got],
      }),
    )
    const path = [world.tokens.USDC, world.tokens.DAI]
    const amounts = await publicClient.readContract({
      address: router,
      abi: uniswapV2Router02Abi,
      functionName: 'getAmountsOut',
      args: [got, path],
    })
    await wait(
      await alice.writeContract({
        address: router,
        abi: uniswapV2Router02Abi,
        functionName: 'swapExactTokensForTokens',
        args: [got, amounts[1]!, path, me, await deadline()],
        gas: SWAP_GAS,
      }),
    )
    const dai = await publicClient.readContract({
      address: world.tokens.DAI,
      abi: devTokenAbi,
      functionName: 'balanceOf',
      args: [me],
    })
    expect(dai).toBe(amounts[1])
    // 1 USDC ≈ 1 DAI: within the fee and a 0.3% impact
    expect(dai * 1000n).toBeGreaterThan(got * 10n ** 12n * 990n)
    expect(dai).toBeLessThan(got * 10n ** 12n)
  })

  it('swaps on Uniswap V3 through SwapRouter for exactly what QuoterV2 quotes', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const world = defiWorld(deployments)
    const alice = walletFor(accounts[2]!)
    const me = accounts[2]!.address
    const wait = async (hash: Hex) =>
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
    const amountIn = parseEther('1')
    await wait(
      await alice.writeContract({ address: world.weth, abi: weth9Abi, functionName: 'deposit', value: amountIn }),
    )
    await wait(
      await alice.writeContract({
        address: world.weth,
        abi: weth9Abi,
        functionName: 'approve',
        args: [world.uniswapV3.swapRouter, amountIn],
      }),
    )
    // QuoterV2 is not a view (it reverts out of a real swap): simulate it, as clients do
    const { result } = await publicClient.simulateContract({
      address: world.uniswapV3.quoterV2,
      abi: quoterV2Abi,
      functionName: 'quoteExactInputSingle',
      args: [{ tokenIn: world.weth, tokenOut: world.tokens.USDC, amountIn, fee: 3000, sqrtPriceLimitX96: 0n }],
    })
    const [quoted] = result
    await wait(
      await alice.writeContract({
        address: world.uniswapV3.swapRouter,
        abi: swapRouterAbi,
        functionName: 'exactInputSingle',
        args: [
          {
            tokenIn: world.weth,
            tokenOut: world.tokens.USDC,
            fee: 3000,
            recipient: me,
            deadline: await deadline(),
            amountIn,
            amountOutMinimum: quoted,
            sqrtPriceLimitX96: 0n,
          },
        ],
        gas: SWAP_GAS,
      }),
    )
    const got = await publicClient.readContract({
      address: world.tokens.USDC,
      abi: devTokenAbi,
      functionName: 'balanceOf',
      args: [me],
    })
    expect(got).toBe(quoted)
    expect(got).toBeGreaterThan(parseUnits('2950', 6))
    expect(got).toBeLessThan(parseUnits('2991', 6))
  })

  it('wraps and unwraps ETH with WETH9', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const { weth } = defiWorld(deployments)
    const bob = accounts[3]!
    const wallet = walletFor(bob)
    const balance = () =>
      publicClient.readContract({ address: weth, abi: weth9Abi, functionName: 'balanceOf', args: [bob.address] })
    const ethBefore = await publicClient.getBalance({ address: bob.address })
    const wrap = await publicClient.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: weth,
        abi: weth9Abi,
        functionName: 'deposit',
        value: parseEther('2'),
      }),
    })
    expect(await balance()).toBe(parseEther('2'))
    const unwrap = await publicClient.waitForTransactionReceipt({
      hash: await wallet.writeContract({
        address: weth,
        abi: weth9Abi,
        functionName: 'withdraw',
        args: [parseEther('2')],
      }),
    })
    expect(await balance()).toBe(0n)
    const gas = wrap.gasUsed * wrap.effectiveGasPrice + unwrap.gasUsed * unwrap.effectiveGasPrice
    expect(await publicClient.getBalance({ address: bob.address })).toBe(ethBefore - gas)
  })

  it("moves the Safe's funds with execTransaction signed by its owner, and refuses another signer", async () => {
    const { publicClient, walletFor, accounts, deployments, chainId } = net()
    const world = defiWorld(deployments)
    const safe = world.safe.account.address
    const owner = accounts[0]!
    const [bob, carol] = [accounts[4]!, accounts[5]!]
    const nonce = await publicClient.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' })
    const tx = safeCall({
      to: world.tokens.USDC,
      data: encodeFunctionData({
        abi: devTokenAbi,
        functionName: 'transfer',
        args: [carol.address, parseUnits('250', 6)],
      }),
      nonce,
    })
    const typed = safeTxTypedData(safe, chainId, tx)
    // our EIP-712 hash is the one the Safe computes
    const onChainHash = await publicClient.readContract({
      address: safe,
      abi: safeAbi,
      functionName: 'getTransactionHash',
      args: [
        tx.to,
        tx.value,
        tx.data,
        tx.operation,
        tx.safeTxGas,
        tx.baseGas,
        tx.gasPrice,
        tx.gasToken,
        tx.refundReceiver,
        tx.nonce,
      ],
    })
    expect(hashTypedData(typed)).toBe(onChainHash)
    const exec = (signatures: Hex) =>
      ({
        address: safe,
        abi: safeAbi,
        functionName: 'execTransaction',
        args: [
          tx.to,
          tx.value,
          tx.data,
          tx.operation,
          tx.safeTxGas,
          tx.baseGas,
          tx.gasPrice,
          tx.gasToken,
          tx.refundReceiver,
          signatures,
        ],
        account: bob,
      }) as const

    // a signature by someone who is not an owner: Safe's GS026
    const stranger = await walletFor(carol).signTypedData(typed)
    await expect(publicClient.simulateContract(exec(stranger))).rejects.toThrow(/GS026/)

    // the owner signs; anyone (here bob) may submit
    const signature = await walletFor(owner).signTypedData(typed)
    const receipt = await publicClient.waitForTransactionReceipt({
      hash: await walletFor(bob).writeContract(exec(signature)),
    })
    expect(receipt.status).toBe('success')
    const balanceOf = (a: Address) =>
      publicClient.readContract({ address: world.tokens.USDC, abi: devTokenAbi, functionName: 'balanceOf', args: [a] })
    expect(await balanceOf(carol.address)).toBe(parseUnits('250', 6))
    expect(await balanceOf(safe)).toBe(SAFE_FUNDING.usdc - parseUnits('250', 6))
    expect(await publicClient.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' })).toBe(nonce + 1n)
  })
})

describe('init-code hashes', () => {
  it("match the periphery's, and locate the real pairs and pools on chain", async () => {
    const checks = initCodeChecks()
    expect(checks.map((c) => c.contract)).toEqual(['UniswapV2Pair', 'UniswapV3Pool'])
    for (const c of checks) expect(c.actual).toBe(c.expected)
    expect(() => assertInitCodeHashes(checks)).not.toThrow()

    // the address the periphery computes from the hash is where the factory put the pair / pool
    const { publicClient, deployments } = net()
    const world = defiWorld(deployments)
    const [v2, v3] = checks
    for (const seeded of V2_SEED) {
      const pair = world.uniswapV2.pairs[seeded.name]!
      // pairFor's salt: keccak256(abi.encodePacked(token0, token1)); PoolAddress's below: abi.encode(…, fee)
      const salt = keccak256(encodePacked(['address', 'address'], [pair.token0, pair.token1]))
      const computed = getContractAddress({
        opcode: 'CREATE2',
        from: world.uniswapV2.factory,
        salt,
        bytecodeHash: v2!.expected,
      })
      expect(computed).toBe(pair.address)
      expect(
        await publicClient.readContract({
          address: world.uniswapV2.factory,
          abi: uniswapV2FactoryAbi,
          functionName: 'getPair',
          args: [pair.token0, pair.token1],
        }),
      ).toBe(pair.address)
    }
    for (const pool of Object.values(world.uniswapV3.pools)) {
      const salt = keccak256(
        encodeAbiParameters(
          [{ type: 'address' }, { type: 'address' }, { type: 'uint24' }],
          [pool.token0, pool.token1, pool.fee],
        ),
      )
      const computed = getContractAddress({
        opcode: 'CREATE2',
        from: world.uniswapV3.factory,
        salt,
        bytecodeHash: v3!.expected,
      })
      expect(computed).toBe(pool.address)
    }
  })

  it('a tampered hash is a DEVNET_INIT_CODE_MISMATCH', () => {
    const [v2, v3] = initCodeChecks()
    const flip = (h: Hex): Hex => `0x${h.slice(2, -1)}${h.endsWith('0') ? '1' : '0'}`
    for (const tampered of [
      [{ ...v2!, actual: flip(v2!.actual) }, v3!],
      [v2!, { ...v3!, expected: flip(v3!.expected) }],
    ]) {
      const err = (() => {
        try {
          assertInitCodeHashes(tampered)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(DevnetError)
      expect((err as DevnetError).code).toBe('DEVNET_INIT_CODE_MISMATCH')
    }
    // and a router whose bytecode does not embed the hash: here V2's hash looked for in the V3 router
    const err = (() => {
      try {
        assertInitCodeHashes([v2!], { UniswapV2Pair: ['SwapRouter'] })
      } catch (e) {
        return e
      }
    })()
    expect((err as DevnetError).code).toBe('DEVNET_INIT_CODE_MISMATCH')
    expect((err as DevnetError).message).toContain('SwapRouter')
  })
})

describe('defi world input errors', () => {
  it('refuses deploy: false, and a deployments file without the world', async () => {
    const err = await startDevnet({ world: 'defi', deploy: false }).catch((e: unknown) => e)
    expect((err as DevnetError).code).toBe('DEVNET_BAD_OPTIONS')

    const { world: _w, defi: _d, ...plain } = net().deployments
    expect(() => defiWorld(plain)).toThrow(/no DeFi world/)
    expect(() => parseDeployments({ ...plain, world: 'defi' })).toThrow(/field defi/)
  })
})

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { terminateProver } from '@hermit/circuits'
import { startDevnet } from '@hermit/devnet'
import { TicketStore, ZkIdentity, createZkPayClient, depositToPool, prepareDeposit } from '@hermit/zkpay'
import { devnetPool, startPaidServer } from '@hermit/zkpay/testing'

const devnet = await startDevnet()
const { publicClient } = devnet
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-'))
// the provider's side, as the tests run it: a CreditPool and a paid endpoint behind the zk-rln gate
const { pool, fromBlock } = await devnetPool(devnet) // 0.001 ETH per ticket
const handler = async () => ({ headers: { 'content-type': 'text/plain' }, body: 'verified' })
const server = await startPaidServer(devnet, pool, { dbPath: join(dir, 'nullifiers.sqlite'), fromBlock, handler })

// the client's side: a fresh identity buys 2 tickets from dev account 1; the file records which ticket is next
const identity = ZkIdentity.random()
const deposit = prepareDeposit(identity, 2n)
const payer = devnet.walletFor(devnet.accounts[1]!)
const { leafIndex } = await depositToPool(publicClient, payer, pool, deposit.leaf, 2n)
const file = join(dir, 'tickets.json')
const { secretNonce } = deposit
TicketStore.create(file, { pool: pool.address, chainId: pool.chainId, leafIndex, tickets: 2, secretNonce })

const client = createZkPayClient({ identity, tickets: TicketStore.open(file), publicClient, fromBlock })
const res = await client.fetch(`${server.url}/v1/txguard/verify`, { method: 'POST', body: '{}' })
console.log(res.status, await res.text()) // 200 verified
console.log(res.payment?.status) // res.payment: { success, status: 'new' | 'replay', nullifier }
await server.close()
await terminateProver() // the prover's worker threads would keep the process alive
await devnet.stop()

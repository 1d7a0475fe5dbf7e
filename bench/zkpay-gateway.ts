/**
 * The paid endpoint of zkpay.bench.ts, in a process of its own (as a real gateway would be), so
 * that the client's proving, which runs witness generation on its own main thread, cannot hold
 * up the server's event loop. Run as `node --import tsx bench/zkpay-gateway.ts <rpcUrl> <chainId>
 * <pool> <dir>`: prints `{"port":…}` once it listens; `/free` answers unpaid, anything else is
 * behind the gate (mcl verifier pool of 2 workers, preverify on); `/stats` answers the gate's stats
 * (zkpay-flood.bench.ts reads the queue's high-water mark there). Ends on SIGTERM or when stdin closes.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createPublicClient, http, type Address } from 'viem'
import { loadVerificationKey } from '@hermit/circuits'
import { devnetChain } from '@hermit/devnet'
import { ProofVerifierPool, SqliteNullifierStore, createZkPayGate, readPool } from '@hermit/zkpay'

const [rpcUrl, chainId, address, dir] = process.argv.slice(2)
if (!rpcUrl || !chainId || !address || !dir) throw new Error('usage: zkpay-gateway.ts <rpcUrl> <chainId> <pool> <dir>')
const publicClient = createPublicClient({
  chain: devnetChain(Number(chainId), rpcUrl),
  transport: http(rpcUrl, { retryCount: 0 }),
  pollingInterval: 10,
  cacheTime: 0,
})
const store = SqliteNullifierStore.open(join(dir, 'nullifiers.sqlite'))
const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 2 })
const gate = createZkPayGate({
  publicClient,
  pool: await readPool(publicClient, address as Address),
  store,
  verifier,
  preverify: true,
})
const server = createServer((req, res) => {
  if (req.url === '/free') return void res.end('ok')
  if (req.url === '/stats') return void res.end(JSON.stringify(gate.stats()))
  void gate.handle(req, res, async () => ({ body: 'ok' }))
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
// ends on SIGTERM, and when the bench process goes away (its end of stdin closes)
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  server.closeAllConnections()
  server.close()
  void Promise.all([verifier.close(), store.close()]).finally(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.stdin.once('close', stop).resume()
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`)

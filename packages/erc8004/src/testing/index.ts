import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Devnet } from '@hermit/devnet'
import { registriesFromDeployments, type Erc8004Client } from '../client.ts'

/** An Erc8004Client that signs as dev account `index` of the devnet. */
export function clientFor(devnet: Devnet, index: number): Erc8004Client {
  return {
    publicClient: devnet.publicClient,
    walletClient: devnet.walletFor(devnet.accounts[index]!),
    registries: registriesFromDeployments(devnet.deployments),
  }
}

/** A loopback HTTP server for files (as an https host or an IPFS gateway would serve them). */
export async function fileServer(
  routes: Record<string, { body: string | Buffer; status?: number; hang?: boolean }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const route = routes[req.url ?? '']
    if (!route) {
      res.writeHead(404).end()
      return
    }
    if (route.hang) return
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json' }).end(route.body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isAddressEqual, type Address } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import { checkDeliverableAuth, DELIVERABLE_AUTH_HEADER, type DeliverableStore } from '../deliverable.ts'
import { getJob } from '../escrow.ts'
import { serveOneShot } from './one-shot.ts'
import type { ProviderOptions } from './types.ts'

type ServerOptions = Pick<ProviderOptions, 'escrow' | 'skills' | 'oneShot' | 'handlerTimeoutMs' | 'host' | 'port'> & {
  /** The provider's own address: it serves only the deliverables of its jobs. */
  provider: Address
  store: DeliverableStore
  /** For `GET /`: the agent id once registered. */
  agentId: () => bigint | undefined
}

/**
 * The provider's HTTP endpoint: `GET /jobs/<id>/deliverable` to the job's client or evaluator
 * (signed, checked against the job on-chain), `POST /call/<skill>` behind the one-shot gate when
 * there is one, and `GET /` (agent id and skills).
 */
export class ProviderServer {
  private server: Server | undefined

  constructor(private readonly options: ServerOptions) {}

  /** Listens (port 0: any free one); returns the local URL. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res))
    this.server = server
    const host = this.options.host ?? '127.0.0.1'
    await new Promise<void>((resolve) => server.listen(this.options.port ?? 0, host, resolve))
    const { port } = server.address() as AddressInfo
    return `http://${host}:${port}`
  }

  async close(): Promise<void> {
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string | Uint8Array, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type })
      res.end(typeof body === 'string' ? body : Buffer.from(body))
    }
    const { escrow, skills, oneShot } = this.options
    try {
      const url = new URL(req.url ?? '/', 'http://agent')
      const deliverable = /^\/jobs\/(\d{1,20})\/deliverable$/.exec(url.pathname)
      if (req.method === 'GET' && deliverable) {
        const jobId = BigInt(deliverable[1]!)
        const job = await getJob(escrow, jobId).catch(() => undefined)
        const bytes = job && this.options.store.get(escrow.address, jobId)
        if (!job || !bytes || !isAddressEqual(job.provider, this.options.provider))
          return send(404, '{"error":"no such deliverable"}')
        const header = req.headers[DELIVERABLE_AUTH_HEADER]
        const ok = await checkDeliverableAuth({
          header: Array.isArray(header) ? undefined : header,
          chainId: escrow.publicClient.chain.id,
          escrow: escrow.address,
          jobId,
          allowed: [job.client, job.evaluator],
        })
        if (!ok) return send(401, '{"error":"sign the request as the job\'s client or evaluator"}')
        return send(200, bytes, 'application/octet-stream')
      }
      const call = /^\/call\/([A-Za-z0-9_-]{1,100})$/.exec(url.pathname)
      if (req.method === 'POST' && call && oneShot) {
        const skillName = call[1]!
        const skill = skills[skillName]
        if (!skill) return send(404, '{"error":"no such skill"}')
        const timeoutMs = this.options.handlerTimeoutMs ?? 60_000
        return await serveOneShot({ gate: oneShot.gate, skillName, skill, timeoutMs }, req, res)
      }
      if (req.method === 'GET' && url.pathname === '/')
        return send(200, JSON.stringify({ agentId: this.options.agentId()?.toString(), skills: Object.keys(skills) }))
      send(404, '{"error":"not found"}')
    } catch (error) {
      if (!res.headersSent) send(500, JSON.stringify({ error: shortMessageOf(error) }))
    }
  }
}

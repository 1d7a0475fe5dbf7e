// A plain Node.js forwarding hop for bench/gateway.bench.ts: what any proxy or gateway process costs
// before it does anything of its own. `node bench/forward.mjs <upstream> [close]` reads the request,
// forwards it with node:http as Hermit's hops do (with `close`: a connection of its own for every
// request, as the paying client's transport opens; without: one keep-alive connection, as the
// gateway keeps to its model server) and streams the answer back as it comes; it prints its port.
import { Agent, createServer, request } from 'node:http'

const [upstream, close] = process.argv.slice(2)
const agent = close ? false : new Agent({ keepAlive: true })
const server = createServer(async (req, res) => {
  const chunks = []
  for await (const c of req) chunks.push(c)
  const body = Buffer.concat(chunks)
  const headers = {
    'content-type': 'application/json',
    'content-length': body.length,
    ...(close ? { connection: 'close' } : {}),
  }
  const up = request(`${upstream}${req.url}`, { method: req.method, headers, agent }, async (answer) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' })
    res.flushHeaders()
    for await (const c of answer) res.write(c)
    res.end()
  })
  up.on('error', () => res.destroy())
  up.end(body)
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })))
process.once('SIGINT', () => server.close(() => process.exit(0)))

// A plain Node.js forwarding hop for bench/gateway.bench.ts: what any proxy or gateway process costs
// before it does anything of its own. `node bench/forward.mjs <upstream> [close]` reads the request,
// forwards it with fetch (with `connection: close` when asked, as Hermit's paying client does, so no
// two calls share a connection) and streams the answer back as it comes; it prints its port.
import { createServer } from 'node:http'

const [upstream, close] = process.argv.slice(2)
const server = createServer(async (req, res) => {
  const chunks = []
  for await (const c of req) chunks.push(c)
  const answer = await fetch(`${upstream}${req.url}`, {
    method: req.method,
    headers: { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) },
    body: Buffer.concat(chunks),
  })
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
  res.flushHeaders()
  for await (const c of answer.body) res.write(c)
  res.end()
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })))
process.once('SIGINT', () => server.close(() => process.exit(0)))

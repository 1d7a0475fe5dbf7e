// The attacker of bench/zkpay-flood.bench.ts, in a process of its own (an attacker is another
// machine, not a part of the honest user's process, whose event loop it would otherwise share).
// `node bench/flooder.mjs <url> <header> <file> <inFlight>`: sends each line of <file> as the value
// of <header> in a GET to <url>, <inFlight> at a time over keep-alive connections, and prints
// `{"ms":…,"statuses":{"402":…}}` when all are answered. It waits for a line on stdin before it
// starts, so the bench can time honest calls from the first junk payment on.
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createInterface } from 'node:readline'

const [url, header, file, inFlight] = process.argv.slice(2)
const junk = readFileSync(file, 'utf8').split('\n').filter(Boolean)
const agent = new Agent({ keepAlive: true, maxSockets: Number(inFlight) })
const statuses = {}
const send = (value) =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { [header]: value } }, (res) => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
      res.resume().once('end', resolve)
    })
    req.once('error', reject)
    req.end()
  })
createInterface({ input: process.stdin }).once('line', async () => {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Number(inFlight) }, async () => {
      while (next < junk.length) await send(junk[next++])
    }),
  )
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, statuses })}\n`)
  agent.destroy()
  process.exit(0)
})
process.stdout.write('ready\n')

/**
 * `pnpm model:scripted`: the scripted model server from `@hermit/llm/testing` on 127.0.0.1:11434
 * (Ollama's address), so `hermit gateway --upstream http://127.0.0.1:11434` has something real to
 * sit in front of on a machine without a model. It is a TEST DOUBLE: every answer is scripted
 * ("scripted answer to …"), no model runs. `--port <n>` or `MODEL_PORT` moves it; Ctrl-C stops it.
 */
import { createServer, connect, type AddressInfo } from 'node:net'
import { startScriptedModelServer } from '@hermit/llm/testing'
import { z } from 'zod'

const SCRIPTED_MODEL = 'scripted-model'

const flag = process.argv.indexOf('--port')
const asked = z.coerce
  .number()
  .int()
  .min(0)
  .max(65_535)
  .safeParse(flag >= 0 ? process.argv[flag + 1] : (process.env.MODEL_PORT ?? 11434))
if (!asked.success) {
  console.error('--port (or MODEL_PORT): expected a port number, 0 to 65535')
  process.exit(64) // as the CLI's usage error
}
const port = asked.data

const model = await startScriptedModelServer({
  models: [SCRIPTED_MODEL],
  script: (req) => ({ content: `scripted answer to "${String(req.messages.at(-1)?.content ?? '')}"` }),
})
// The double listens on a free port of its own; a plain TCP relay puts it on the port asked for.
const upstream = new URL(model.url)
const relay = createServer((socket) => {
  const to = connect(Number(upstream.port), upstream.hostname)
  socket.pipe(to).pipe(socket)
  const end = () => {
    socket.destroy()
    to.destroy()
  }
  socket.on('error', end)
  to.on('error', end)
})
const listening = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
  relay.once('error', resolve)
  relay.listen(port, '127.0.0.1', () => resolve(undefined))
})
if (listening) {
  await model.close()
  console.error(`cannot listen on 127.0.0.1:${port} (${listening.code ?? listening.message}): pass another --port`)
  process.exit(69) // as the CLI's "unavailable"
}
const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`
console.log(
  `scripted model server on ${url} (Ollama and OpenAI APIs, model "${SCRIPTED_MODEL}"): ` +
    'a test double whose answers are scripted, not a model. Ctrl-C stops it.',
)

const stop = async () => {
  relay.close()
  await model.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)

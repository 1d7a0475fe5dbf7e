// Starts a devnet, prints its anvil pid, then ends in the way named by argv[2]:
// "throw" (uncaught error), "wait" (until a signal arrives), "reject" (unhandled rejection).
import { startDevnet } from '../index.ts'

const mode = process.argv[2]
const devnet = await startDevnet({ deploy: false })
process.stdout.write(`anvil-pid ${devnet.pid}\n`)
if (mode === 'throw') {
  setImmediate(() => {
    throw new Error('boom inside a test')
  })
} else if (mode === 'reject') {
  void Promise.reject(new Error('unhandled inside a test'))
} else {
  setInterval(() => {}, 1_000)
}

// Verifies Groth16 proofs off the main thread. Plain JS, so it loads without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import * as snarkjs from 'snarkjs'

// one single-threaded curve per worker: the pool of workers is the parallelism
globalThis.curve_bn128 = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true })
const vkey = workerData.vkey

parentPort.on('message', async ({ id, proof, publicSignals }) => {
  try {
    const ok = await snarkjs.groth16.verify(vkey, publicSignals, proof)
    parentPort.postMessage({ id, ok })
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String(error?.message ?? error) })
  }
})
parentPort.postMessage({ ready: true })

// Verifies Groth16 proofs off the main thread. Plain JS, so it loads without a TypeScript loader.
//   engine "mcl": mcl-wasm pairings, proofs checked in batches with a random linear combination
//                 (one final exponentiation per batch); a failing batch is bisected to find its bad proofs.
//   engine "snarkjs": snarkjs.groth16.verify, one proof at a time (the reference).
import { randomBytes } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'

const { vkey, engine, batchSize, batchWaitMs, warmUp, splitBuffer } = workerData
// a split check's hand-overs (see SPLIT_BYTES in verifier.ts): per slot, a word with the id of the
// split it holds and one with its value's length (-1: none, the input did not parse), then the value
const SLOTS = { L: [0, 24, 64], AB: [1, 88, 384], ORDER: [2, 472, 0] } // [slot, byte offset, room]
const splitWords = new Int32Array(splitBuffer, 0, 6)
// how long the second half waits for the first before calling the proof invalid (its worker died)
const SPLIT_WAIT_MS = 5_000
let verifyOne
let verifyMany
// the two halves of a split check (mcl only)
let halfAB
let halfLC
// how the proofs of each flush were checked, reported to the pool (ProofVerifierPool.stats())
const stats = () => ({
  batchesPassed: 0,
  proofsInPassedBatches: 0,
  batchesFailed: 0,
  checkedOneByOne: 0,
  checkedSplit: 0,
})
let counts = stats()

if (engine === 'snarkjs') {
  const snarkjs = await import('snarkjs')
  // one single-threaded curve per worker: the pool of workers is the parallelism
  globalThis.curve_bn128 = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true })
  verifyOne = (p) => snarkjs.groth16.verify(vkey, p.publicSignals, p.proof)
} else {
  const mcl = await import('mcl-wasm')
  await mcl.init(mcl.BN_SNARK1)
  // refuse G2 points outside the prime-order subgroup: soundness depends on it. BN254's G1 has
  // cofactor 1, so every point on the curve is in G1 (setStr still refuses points off the curve)
  mcl.verifyOrderG1(false)
  mcl.verifyOrderG2(true)
  const g1 = (p) => {
    const P = new mcl.G1()
    P.setStr(`1 ${p[0]} ${p[1]}`, 10)
    return P
  }
  const g2 = (p) => {
    const Q = new mcl.G2()
    Q.setStr(`1 ${p[0][0]} ${p[0][1]} ${p[1][0]} ${p[1][1]}`, 10)
    return Q
  }
  const fr = (s) => {
    const f = new mcl.Fr()
    f.setStr(String(s), 10)
    return f
  }
  const alpha = g1(vkey.vk_alpha_1)
  const betaPoint = g2(vkey.vk_beta_2)
  const beta = new mcl.PrecomputedG2(betaPoint)
  const gamma = new mcl.PrecomputedG2(g2(vkey.vk_gamma_2))
  const delta = new mcl.PrecomputedG2(g2(vkey.vk_delta_2))
  const IC = vkey.IC.map(g1)
  const nPublic = IC.length - 1

  // parse: a proof whose points are not on the curve / in the subgroup is simply invalid
  const parse = (p) => {
    try {
      if (p.publicSignals.length !== nPublic) return null
      return { A: g1(p.proof.pi_a), B: g2(p.proof.pi_b), C: g1(p.proof.pi_c), pub: p.publicSignals.map(fr) }
    } catch {
      return null
    }
  }
  const random128 = () => fr(BigInt(`0x${randomBytes(16).toString('hex')}`) + 1n)

  /** prod e(-r_k A_k, B_k) * e(sum(r) alpha, beta) * e(sum r_k L_k, gamma) * e(sum r_k C_k, delta) == 1 */
  const check = (items) => {
    const rs = items.map(() => random128())
    let rSum = new mcl.Fr()
    for (const r of rs) rSum = mcl.add(rSum, r)
    // sum_k r_k L_k = rSum * IC0 + sum_j (sum_k r_k pub_kj) IC_j: a handful of scalar multiplications
    const coeffs = [rSum]
    for (let j = 0; j < nPublic; j++) {
      let c = new mcl.Fr()
      items.forEach((it, k) => (c = mcl.add(c, mcl.mul(rs[k], it.pub[j]))))
      coeffs.push(c)
    }
    const L = mcl.mulVec(IC, coeffs)
    const C = mcl.mulVec(
      items.map((it) => it.C),
      rs,
    )
    let e = mcl.precomputedMillerLoop2(mcl.mul(alpha, rSum), beta, L, gamma)
    e = mcl.mul(e, mcl.precomputedMillerLoop(C, delta))
    items.forEach((it, k) => (e = mcl.mul(e, mcl.millerLoop(mcl.neg(mcl.mul(it.A, rs[k])), it.B))))
    return mcl.finalExp(e).isOne()
  }
  // one proof: e(alpha, beta)'s Miller loop is a constant of the key, so three Miller loops remain
  const alphaBeta = mcl.millerLoop(alpha, betaPoint)
  const checkOne = (it) => {
    const L = mcl.mulVec(IC, [fr(1), ...it.pub])
    let e = mcl.mul(alphaBeta, mcl.precomputedMillerLoop2(L, gamma, it.C, delta))
    e = mcl.mul(e, mcl.millerLoop(mcl.neg(it.A), it.B))
    return mcl.finalExp(e).isOne()
  }
  verifyOne = async (p) => {
    const it = parse(p)
    return it !== null && checkOne(it)
  }
  // a lone proof split between two idle workers. One (the 'ab' half) computes L = IC0 + sum pub_j IC_j
  // and hands it over, then e(-A, B) and hands it over, then checks B's subgroup (the slowest part
  // of parsing it) while the other finishes. The other (the 'lc' half) computes e(alpha, beta)
  // e(C, delta), then e(L, gamma) with the L it was given, then the one final exponentiation with
  // e(-A, B); the proof is valid when that is 1 and B is in the subgroup. Each side has about half
  // of the Miller loops, and the subgroup check runs beside the final exponentiation.
  halfAB = (p, id) => {
    let L = null
    try {
      if (p.publicSignals.length === nPublic) L = mcl.mulVec(IC, [fr(1), ...p.publicSignals.map(fr)]).serialize()
    } catch {}
    handOver(SLOTS.L, id, L)
    let B = null
    let ab = null
    try {
      mcl.verifyOrderG2(false) // on the curve only here: the subgroup is checked below, off the path
      B = g2(p.proof.pi_b)
      ab = mcl.millerLoop(mcl.neg(g1(p.proof.pi_a)), B).serialize()
    } catch {
    } finally {
      mcl.verifyOrderG2(true)
    }
    handOver(SLOTS.AB, id, ab)
    handOver(SLOTS.ORDER, id, B !== null && B.isValidOrder() ? new Uint8Array() : null)
  }
  halfLC = (p, id) => {
    // every hand-over is taken, whatever fails: the split is over before its answer goes out
    let e = null
    try {
      e = mcl.mul(alphaBeta, mcl.precomputedMillerLoop(g1(p.proof.pi_c), delta))
    } catch {}
    const Lbytes = takeOver(SLOTS.L, id)
    if (e !== null && Lbytes !== null) {
      const L = new mcl.G1()
      L.deserialize(Lbytes)
      e = mcl.mul(e, mcl.precomputedMillerLoop(L, gamma))
    } else e = null
    const abBytes = takeOver(SLOTS.AB, id)
    let one = false
    if (e !== null && abBytes !== null) {
      const ab = new mcl.GT()
      ab.deserialize(abBytes)
      one = mcl.finalExp(mcl.mul(e, ab)).isOne()
    }
    const inSubgroup = takeOver(SLOTS.ORDER, id) !== null
    return one && inSubgroup
  }
  const single = (x, out) => {
    counts.checkedOneByOne++
    out[x.k] = checkOne(x.it)
    return out[x.k]
  }
  /** One batch check of `items` (a lone proof: a single check); true when all of them are valid. */
  const batch = (items, out) => {
    if (items.length === 1) return single(items[0], out)
    if (check(items.map((x) => x.it))) {
      counts.batchesPassed++
      counts.proofsInPassedBatches += items.length
      for (const x of items) out[x.k] = true
      return true
    }
    counts.batchesFailed++
    return false
  }
  // a failing batch finds its bad proofs by bisection: each half is checked as a batch, and only a
  // failing half is split again, so one bad proof among n costs about 2·log2(n) batch checks, not n.
  // When both halves fail the bad proofs are dense (a flood of junk): single checks then cost less
  // than splitting further, so the rest is checked one by one.
  const bisect = (items, out) => {
    const mid = items.length >> 1
    const failed = [items.slice(0, mid), items.slice(mid)].filter((h) => !batch(h, out))
    if (failed.length === 2) {
      for (const h of failed) if (h.length > 1) for (const x of h) single(x, out)
      return
    }
    for (const h of failed) if (h.length > 1) bisect(h, out)
  }
  verifyMany = (proofs) => {
    const parsed = proofs.map(parse)
    const out = parsed.map(() => false)
    const good = parsed.flatMap((it, k) => (it ? [{ it, k }] : []))
    if (good.length > 0 && !batch(good, out) && good.length > 1) bisect(good, out)
    return out
  }
  // warm-up: the first pairings run in V8's baseline wasm tier at about twice the cost; a few
  // throwaway checks get the optimized code in place before the first real proof arrives
  const G = new mcl.G1()
  G.setHashOf('hermit warm-up')
  const W = { A: G, B: betaPoint, C: G, pub: IC.slice(1).map(() => fr(1)) }
  for (let k = 0; k < warmUp; k++) checkOne(W)
}

// batching: collect what arrives within batchWaitMs (or batchSize proofs), check them together
let queue = []
let timer = null
const flush = async () => {
  timer = null
  const batch = queue
  queue = []
  if (batch.length === 0) return
  try {
    const results = verifyMany
      ? verifyMany(batch.map((b) => b.item))
      : await Promise.all(batch.map((b) => verifyOne(b.item)))
    if (!verifyMany) counts.checkedOneByOne += batch.length
    // sent before the results, so a resolved verify() is already counted
    parentPort.postMessage({ stats: counts })
    counts = stats()
    batch.forEach((b, k) => parentPort.postMessage({ id: b.id, ok: results[k] }))
  } catch (error) {
    batch.forEach((b) => parentPort.postMessage({ id: b.id, ok: false, error: String(error?.message ?? error) }))
  }
}

// a split check's hand-over: the value, then its length, then the split's id (the word the other
// worker waits on): a worker that sees the id sees the rest. One split runs at a time (the pool
// splits a proof only when nothing else is pending, and the 'lc' half answers only after taking
// every hand-over), so a slot is never written while its last value is still to be read.
const tag = (id) => (id % 0x7ffffffe) + 1 // never 0, the memory's initial word
const handOver = ([slot, offset], id, bytes) => {
  if (bytes !== null) new Uint8Array(splitBuffer, offset, bytes.length).set(bytes)
  Atomics.store(splitWords, 2 * slot + 1, bytes === null ? -1 : bytes.length)
  Atomics.store(splitWords, 2 * slot, tag(id))
  Atomics.notify(splitWords, 2 * slot)
}
const takeOver = ([slot, offset], id) => {
  const until = performance.now() + SPLIT_WAIT_MS
  for (let seen = Atomics.load(splitWords, 2 * slot); seen !== tag(id); seen = Atomics.load(splitWords, 2 * slot)) {
    const left = until - performance.now()
    if (left <= 0 || Atomics.wait(splitWords, 2 * slot, seen, left) === 'timed-out') return null
  }
  const length = Atomics.load(splitWords, 2 * slot + 1)
  return length < 0 ? null : new Uint8Array(splitBuffer, offset, length).slice()
}

parentPort.on('message', ({ batch, split }) => {
  if (split) {
    if (split.half === 'ab') return halfAB(split.item, split.id)
    let ok = false
    try {
      ok = halfLC(split.item, split.id)
    } catch {}
    counts.checkedSplit++
    parentPort.postMessage({ stats: counts })
    counts = stats()
    parentPort.postMessage({ id: split.id, ok })
    return
  }
  // the pool sends the proofs of one event-loop turn as one message (a batch); batchWaitMs 0 checks
  // as soon as what already arrived is in, so a lone proof waits for nothing
  for (const { id, proof, publicSignals } of batch) {
    queue.push({ id, item: { proof, publicSignals } })
    if (queue.length >= batchSize) void flush()
  }
  if (queue.length > 0) timer ??= batchWaitMs > 0 ? setTimeout(flush, batchWaitMs) : setImmediate(flush)
})
parentPort.postMessage({ ready: true })

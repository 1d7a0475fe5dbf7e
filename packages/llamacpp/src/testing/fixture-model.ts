/**
 * A TEST FIXTURE, not a model: writes a tiny GGUF v3 file (llama architecture, 1 layer, 64
 * dimensions, seeded random F32 weights, a byte-level vocabulary). llama.cpp loads and runs it
 * like any model, so the real runtime is exercised end to end; its answers are noise, which is
 * why tests only check what a grammar or the runtime guarantees, never what the text says.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type FixtureModelOptions = {
  /** Seed of the weights (default 16): the same seed writes the same bytes. */
  seed?: number
  /** Context length the file declares (default 8192: byte-level tokens make prompts long). */
  contextLength?: number
}

// The shape: small enough for ~300 KB, a real llama block all the same.
const N_EMBD = 64
const N_HEAD = 4
const N_FF = 128
const SPECIAL = ['<unk>', '<s>', '</s>'] as const
const N_VOCAB = SPECIAL.length + 256

// GGUF value types (gguf.h)
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const
// llama.cpp token types: normal 1, unknown 2, control 3, byte 6
const TOKEN_TYPE = { unknown: 2, control: 3, byte: 6 } as const
const ALIGNMENT = 32
const GGML_TYPE_F32 = 0

type Value =
  | { type: 'u32' | 'i32' | 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; of: 'string'; value: string[] }
  | { type: 'array'; of: 'f32' | 'i32'; value: number[] }

/** A byte buffer that grows; GGUF is little-endian throughout. */
class Writer {
  private buf = Buffer.alloc(1 << 16)
  length = 0
  private room(n: number) {
    if (this.length + n <= this.buf.length) return
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
  u32(v: number) {
    this.room(4)
    this.length = this.buf.writeUInt32LE(v, this.length)
  }
  i32(v: number) {
    this.room(4)
    this.length = this.buf.writeInt32LE(v, this.length)
  }
  u64(v: number) {
    this.room(8)
    this.length = this.buf.writeBigUInt64LE(BigInt(v), this.length)
  }
  f32(v: number) {
    this.room(4)
    this.length = this.buf.writeFloatLE(v, this.length)
  }
  bytes(b: Uint8Array) {
    this.room(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }
  string(s: string) {
    const b = Buffer.from(s, 'utf8')
    this.u64(b.length)
    this.bytes(b)
  }
  pad() {
    const n = (ALIGNMENT - (this.length % ALIGNMENT)) % ALIGNMENT
    this.bytes(new Uint8Array(n))
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length)
  }
}

function writeValue(w: Writer, v: Value) {
  if (v.type === 'array') {
    w.u32(T.array)
    w.u32(T[v.of])
    w.u64(v.value.length)
    for (const item of v.value) {
      if (v.of === 'string') w.string(item as string)
      else if (v.of === 'f32') w.f32(item as number)
      else w.i32(item as number)
    }
    return
  }
  w.u32(T[v.type])
  if (v.type === 'string') w.string(v.value)
  else if (v.type === 'bool') w.bytes(new Uint8Array([v.value ? 1 : 0]))
  else if (v.type === 'u32') w.u32(v.value)
  else if (v.type === 'i32') w.i32(v.value)
  else w.f32(v.value)
}

/** mulberry32: a tiny seeded PRNG, so the weights (and the file's bytes) are deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The GGUF bytes of the fixture model. */
export function fixtureModelBytes(options: FixtureModelOptions = {}): Buffer {
  const rand = random(options.seed ?? 16)
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale)
  const ones = (n: number) => new Float32Array(n).fill(1)
  const tokens = [
    ...SPECIAL,
    ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
  ]
  const metadata: Array<[string, Value]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'hermit-test-fixture (noise)' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }], // all F32
    ['llama.context_length', { type: 'u32', value: options.contextLength ?? 8192 }],
    ['llama.embedding_length', { type: 'u32', value: N_EMBD }],
    ['llama.block_count', { type: 'u32', value: 1 }],
    ['llama.feed_forward_length', { type: 'u32', value: N_FF }],
    ['llama.attention.head_count', { type: 'u32', value: N_HEAD }],
    ['llama.attention.head_count_kv', { type: 'u32', value: N_HEAD }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: N_EMBD / N_HEAD }],
    ['llama.vocab_size', { type: 'u32', value: N_VOCAB }],
    // SentencePiece ("llama"): text it has no piece for falls back to the <0xXX> byte tokens
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'array', of: 'f32', value: tokens.map(() => 0) }],
    [
      'tokenizer.ggml.token_type',
      {
        type: 'array',
        of: 'i32',
        value: tokens.map((_, i) =>
          i === 0 ? TOKEN_TYPE.unknown : i < SPECIAL.length ? TOKEN_TYPE.control : TOKEN_TYPE.byte,
        ),
      },
    ],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
  ]
  const s = 0.08 // small weights keep the logits finite; their values do not matter
  // One steering dimension, so that the noise is ASCII: every embedding carries +4 in dimension 0,
  // and the output rows of the bytes 0x80-0xFF carry -3 there. Those bytes alone form invalid UTF-8,
  // which a grammar counts differently from JavaScript (a 60-character string would not be one).
  const embeddings = uniform(N_EMBD * N_VOCAB, 1)
  const output = uniform(N_EMBD * N_VOCAB, s)
  for (let t = 0; t < N_VOCAB; t++) {
    embeddings[t * N_EMBD] = 4
    output[t * N_EMBD] = t >= SPECIAL.length + 0x80 ? -3 : 0
  }
  // GGUF lists dimensions innermost first: a [n_embd, n_vocab] tensor holds n_vocab rows of n_embd
  const tensors: Array<[string, number[], Float32Array]> = [
    ['token_embd.weight', [N_EMBD, N_VOCAB], embeddings],
    ['output_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['output.weight', [N_EMBD, N_VOCAB], output],
    ['blk.0.attn_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['blk.0.attn_q.weight', [N_EMBD, N_EMBD], uniform(N_EMBD * N_EMBD, s)],
    ['blk.0.attn_k.weight', [N_EMBD, N_EMBD], uniform(N_EMBD * N_EMBD, s)],
    ['blk.0.attn_v.weight', [N_EMBD, N_EMBD], uniform(N_EMBD * N_EMBD, s)],
    ['blk.0.attn_output.weight', [N_EMBD, N_EMBD], uniform(N_EMBD * N_EMBD, s)],
    ['blk.0.ffn_norm.weight', [N_EMBD], ones(N_EMBD)],
    ['blk.0.ffn_gate.weight', [N_EMBD, N_FF], uniform(N_EMBD * N_FF, s)],
    ['blk.0.ffn_up.weight', [N_EMBD, N_FF], uniform(N_EMBD * N_FF, s)],
    ['blk.0.ffn_down.weight', [N_FF, N_EMBD], uniform(N_FF * N_EMBD, s)],
  ]

  const w = new Writer()
  w.bytes(Buffer.from('GGUF', 'ascii'))
  w.u32(3)
  w.u64(tensors.length)
  w.u64(metadata.length)
  for (const [key, value] of metadata) {
    w.string(key)
    writeValue(w, value)
  }
  let offset = 0
  for (const [name, dims, data] of tensors) {
    w.string(name)
    w.u32(dims.length)
    for (const d of dims) w.u64(d)
    w.u32(GGML_TYPE_F32)
    w.u64(offset)
    offset += Math.ceil(data.byteLength / ALIGNMENT) * ALIGNMENT
  }
  w.pad()
  for (const [, , data] of tensors) {
    w.bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    w.pad()
  }
  return w.result()
}

export type FixtureModel = { path: string; bytes: number; sha256: string }

/** Writes the fixture to `dir` (default: a new temp dir) and says where, how big, and its hash. */
export function writeFixtureModel(dir?: string, options: FixtureModelOptions = {}): FixtureModel {
  const bytes = fixtureModelBytes(options)
  const path = join(dir ?? mkdtempSync(join(tmpdir(), 'hermit-gguf-')), 'hermit-fixture.gguf')
  writeFileSync(path, bytes)
  return { path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
}

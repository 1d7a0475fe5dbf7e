/**
 * Loading: one llama.cpp runtime per process and one loaded model per file, shared by every
 * provider that names that file and freed when the last of them closes. The file is checked
 * before llama.cpp sees it, so a wrong path, a file that is not GGUF or a model that cannot fit
 * is a clear error with a hint instead of a native crash or a machine that starts swapping.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { freemem } from 'node:os'
import { resolve } from 'node:path'
import type { Llama, LlamaModel } from 'node-llama-cpp'
import { shortMessageOf } from '@hermit/errors'
import { LlamaCppError } from './errors.ts'

let bindings: Promise<typeof import('node-llama-cpp')> | undefined
/**
 * node-llama-cpp itself, imported on first use: loading it takes over a second, and a CLI that
 * only knows the `llamacpp:` scheme must not pay that on every command.
 */
export function nodeLlamaCpp(): Promise<typeof import('node-llama-cpp')> {
  bindings ??= import('node-llama-cpp')
  return bindings
}

let runtime: Promise<Llama> | undefined

/** The CPU build that ships prebuilt in node-llama-cpp's npm packages: nothing is compiled or downloaded. */
export function llamaRuntime(): Promise<Llama> {
  runtime ??= nodeLlamaCpp()
    .then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error }),
    )
    .catch((cause: unknown) => {
      runtime = undefined
      throw new LlamaCppError('LLAMACPP_LOAD_FAILED', `Cannot start llama.cpp: ${shortMessageOf(cause)}`, {
        cause,
        hint: 'Reinstall with `npx -y pnpm@10.34.9 install`: the prebuilt CPU binary comes with node-llama-cpp.',
      })
    })
  return runtime
}

export type LoadOptions = {
  /** Memory the model may use, in bytes (default: the free memory now). */
  memoryBytes?: number
}

type Entry = { model: Promise<LlamaModel>; users: number }
const models = new Map<string, Entry>()

/** Checks the file, then loads it, or joins the load already under way for the same file. */
export function acquireModel(path: string, options: LoadOptions = {}): { path: string; model: Promise<LlamaModel> } {
  const key = resolve(path)
  let entry = models.get(key)
  if (!entry) {
    const model = loadModel(key, options)
    entry = { model, users: 0 }
    models.set(key, entry)
    // a failed load is not cached: the next call checks the file again
    model.catch(() => {
      if (models.get(key)?.model === model) models.delete(key)
    })
  }
  entry.users++
  return { path: key, model: entry.model }
}

/** One user fewer; the last one out disposes the model. */
export async function releaseModel(path: string): Promise<void> {
  const entry = models.get(path)
  if (!entry) return
  if (--entry.users > 0) return
  models.delete(path)
  const model = await entry.model.catch(() => undefined)
  await model?.dispose()
}

/** How many files are loaded now (for tests of the sharing). */
export function loadedModelCount(): number {
  return models.size
}

async function loadModel(path: string, options: LoadOptions): Promise<LlamaModel> {
  checkModelFile(path, options)
  const llama = await llamaRuntime()
  const { InsufficientMemoryError } = await nodeLlamaCpp()
  try {
    return await llama.loadModel({ modelPath: path, gpuLayers: 0 })
  } catch (cause) {
    if (cause instanceof InsufficientMemoryError) throw tooLarge(path, cause)
    throw new LlamaCppError('LLAMACPP_LOAD_FAILED', `llama.cpp could not load ${path}: ${shortMessageOf(cause)}`, {
      cause,
      hint: 'The file may be truncated, or use an architecture this llama.cpp build does not know; try another GGUF.',
      details: { path },
    })
  }
}

/** The checks before a load: the file is there, is GGUF, and fits in memory. Sync, so a spec parser can use it. */
export function checkModelFile(path: string, options: LoadOptions = {}): void {
  const info = statSync(path, { throwIfNoEntry: false })
  if (!info?.isFile()) {
    throw new LlamaCppError('LLAMACPP_MODEL_NOT_FOUND', `No model file at ${path}.`, {
      hint: 'Pass the path of a .gguf file: --model llamacpp:/path/to/model.gguf.',
      details: { path },
    })
  }
  const head = Buffer.alloc(4)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, head, 0, 4, 0)
  } finally {
    closeSync(fd)
  }
  if (head.toString('latin1') !== 'GGUF') {
    throw new LlamaCppError('LLAMACPP_NOT_GGUF', `${path} is not a GGUF model file.`, {
      hint: 'llama.cpp reads GGUF only: convert the model (llama.cpp convert_hf_to_gguf.py) or download a .gguf build of it.',
      details: { path },
    })
  }
  // the weights are mapped into memory whole on the CPU: a file larger than the memory left would only thrash
  const available = options.memoryBytes ?? freemem()
  if (info.size > available) throw tooLarge(path, undefined, info.size, available)
}

export function tooLarge(path: string, cause?: unknown, size?: number, available?: number): LlamaCppError {
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`
  return new LlamaCppError(
    'LLAMACPP_MODEL_TOO_LARGE',
    size === undefined || available === undefined
      ? `${path} does not fit in the memory this machine has free.`
      : `${path} needs ${mb(size)} but only ${mb(available)} of memory is free.`,
    {
      cause,
      hint: 'Use a smaller or more quantized GGUF (e.g. Q4_K_M of a 1–3B model), or free memory.',
      details: {
        path,
        ...(size === undefined ? {} : { bytes: size }),
        ...(available === undefined ? {} : { available }),
      },
    },
  )
}

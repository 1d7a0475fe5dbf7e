/** Small helpers shared by the benchmark files. */
export type BenchResult = {
  name: string
  unit: string
  /** Median of the `n` samples. */
  median: number
  /** 95th percentile of the same `n` samples (linear interpolation between order statistics). */
  p95: number
  n: number
  /**
   * A measurement taken in the same run to compare against. `p95` is left out when the baseline
   * is a figure derived from another row (for example a rate computed from a median time).
   */
  baseline?: { name: string; median: number; p95?: number }
  note?: string
}

/**
 * One bench file. `measures` lists the repository paths (folders or files) whose code the figures
 * depend on: bench/run.ts marks the file's section stale when any of them changes after the run
 * (the bench file itself and bench/lib.ts are always added).
 */
export type BenchFile = { title: string; measures: readonly string[]; run(): Promise<BenchResult[]> }

/**
 * `BENCH_QUICK=1`: fewer iterations, to check that a bench file works. bench/run.ts prints the
 * figures of a quick run and writes nothing (neither results.json nor README.md).
 */
export const QUICK = process.env.BENCH_QUICK === '1'

/** `full` iterations, or `quick` under BENCH_QUICK=1. */
export const iterations = (full: number, quick: number): number => (QUICK ? quick : full)

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Median and p95 of individual samples (never of means). */
export function summarize(
  name: string,
  unit: string,
  samples: number[],
  extra: Partial<BenchResult> = {},
): BenchResult {
  if (samples.length === 0) throw new Error(`${name}: no samples`)
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    name,
    unit,
    median: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    n: samples.length,
    ...extra,
  }
}

/** A row as the same-run baseline of another row. */
export const baselineOf = (r: BenchResult): NonNullable<BenchResult['baseline']> => ({
  name: r.name,
  median: r.median,
  p95: r.p95,
})

/** Times `fn` `n` times (after `warmup` untimed runs), in milliseconds. */
export async function timeMs(n: number, fn: () => Promise<void>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(await timeOnce(fn))
  return out
}

/** The time of one call of `fn`, in milliseconds. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

export const round = (x: number) => Math.round(x * 100) / 100

/** Small helpers shared by the benchmark files. */
export type BenchResult = {
  name: string
  unit: string
  median: number
  p95: number
  n: number
  /** A measurement taken in the same run to compare against. */
  baseline?: { name: string; median: number; p95: number }
  note?: string
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

export function summarize(
  name: string,
  unit: string,
  samples: number[],
  extra: Partial<BenchResult> = {},
): BenchResult {
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

/** Times `fn` `n` times (after `warmup` untimed runs), in milliseconds. */
export async function timeMs(n: number, fn: () => Promise<void>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}

export const round = (x: number) => Math.round(x * 100) / 100

export type BenchFile = { title: string; run(): Promise<BenchResult[]> }

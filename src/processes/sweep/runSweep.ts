import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type * as E from 'fp-ts/lib/Either.js'
import type { BacktestOutcome, BacktestPlan } from '../backtest/index.js'

// Runs backtest plans on worker threads, `workers` at a time (default: every core), and returns the outcomes in
// plan order. Each worker takes the next plan when it finishes one, so long and short runs share the cores.

export interface SweepResult {
  readonly plan: BacktestPlan
  readonly outcome: E.Either<string, BacktestOutcome>
}

/** Every combination of the grid's values, in order (the last key varies fastest). */
export const gridCombinations = (grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] => {
  let out: Record<string, unknown>[] = [{}]
  for (const [k, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })))
  return out
}

export const runSweep = async (
  plans: readonly BacktestPlan[],
  codeVersion: string,
  workers = availableParallelism(),
  onDone?: (done: number) => void,
): Promise<SweepResult[]> => {
  // From source (tests, tsx) the worker is a .ts file that needs tsx too; from dist it is plain .js.
  const fromSource = import.meta.url.endsWith('.ts')
  const script = new URL(`./sweepWorker.${fromSource ? 'ts' : 'js'}`, import.meta.url)
  const results: SweepResult[] = new Array(plans.length)
  let next = 0
  let done = 0
  const n = Math.max(1, Math.min(workers, plans.length))
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          // A worker does not inherit the parent's `--import tsx`: from source, register tsx in it first.
          const w = fromSource
            ? new Worker(
                `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(script.href)}) })`,
                { eval: true, workerData: { codeVersion } },
              )
            : new Worker(script, { workerData: { codeVersion } })
          const feed = () => {
            if (next < plans.length) {
              const index = next++
              w.postMessage({ index, plan: plans[index] })
            } else w.postMessage(null)
          }
          w.on('message', (m: { index: number; result: E.Either<string, BacktestOutcome> }) => {
            results[m.index] = { plan: plans[m.index]!, outcome: m.result }
            onDone?.(++done)
            feed()
          })
          w.on('error', reject)
          w.on('exit', () => resolve())
          feed()
        }),
    ),
  )
  return results
}

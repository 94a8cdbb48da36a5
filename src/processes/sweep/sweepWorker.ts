import { parentPort, workerData } from 'node:worker_threads'
import pino from 'pino'
import { type BacktestPlan, executeBacktest } from '../backtest/index.js'
import { createBuiltinEngine } from '../engine/index.js'

// One worker thread of `bahi sweep`: runs the backtest plans it is sent, one at a time, and posts each outcome back.

interface Job {
  readonly index: number
  readonly plan: BacktestPlan
}

const { codeVersion } = workerData as { codeVersion: string }
const log = pino({ level: 'warn' }, pino.destination(2))

parentPort?.on('message', async (job: Job | null) => {
  if (job === null) {
    parentPort?.close()
    return
  }
  const r = await executeBacktest(job.plan, createBuiltinEngine, codeVersion, log)
  parentPort?.postMessage({ index: job.index, result: r })
})

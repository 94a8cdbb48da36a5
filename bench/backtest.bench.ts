import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { type BarBatch, openMarketStore } from '../src/adapters/marketStore/index.js'
import { type AppendItem, appendItemEvents, type Envelope, isBarRows } from '../src/domain/events/index.js'
import type { InstrumentKey } from '../src/domain/ids/index.js'
import { openFileJournal } from '../src/journal/index.js'
import { type BacktestSpec, backtestHeader, runBacktest } from '../src/processes/backtest/index.js'
import { BarCursor, runBarRows, runCascade } from '../src/processes/drivers/index.js'
import { createBuiltinEngine } from '../src/processes/engine/index.js'
import { DEFAULT_SIMULATOR_CONFIG } from '../src/projections/index.js'

// End-to-end backtest throughput on the real 5-stock 1-minute set (issue 4): store -> sma-cross -> risk -> simulated
// broker -> projections -> journal, and the parts on their own so the figure can be read: streaming bars out of the
// store, the engine with no journal, the journal alone, and the end to end run again with a strategy that almost never
// trades (what the bars alone cost on this path). Needs the data (NSE_DATA_DIR, default ../shared/data/nse); imports it into
// a temporary store with the CLI first. Peak RSS is the whole process's. Figures vary with load (2 shared cores).

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const data = process.env.NSE_DATA_DIR ?? path.resolve(root, '..', 'shared', 'data', 'nse')
const equity = path.join(data, 'equity-1min-2025')
if (!fs.existsSync(equity)) {
  process.stderr.write(`backtest bench: skipped, no real data at ${equity} (set NSE_DATA_DIR)\n`)
  process.exit(0)
}
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-bench-bt-'))
const home = path.join(work, 'home')
const imported = spawnSync(
  process.execPath,
  [path.join(root, 'dist', 'src', 'processes', 'cli', 'main.js'), 'import', equity, '--home', home, '--json'],
  { encoding: 'utf8' },
)
if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`)
const log = pino({ level: 'warn' })
const opened = await openMarketStore(path.join(home, 'market', 'market.duckdb'), log)
if (E.isLeft(opened)) throw new Error(`store: ${opened.left._tag}`)
const store = opened.right

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const best = (xs: number[]) => Math.max(...xs)
const query = { instrumentKeys: [], timeframe: '1m' as const }

/** The benchmark's strategy, and one with almost no decisions: the same path, nearly all of it bars. */
const BENCH_PARAMS = { fast: 10, slow: 30, qty: 10 }
const QUIET_PARAMS = { fast: 500, slow: 2000, qty: 10 }

const spec = (
  journalDir: string,
  instruments: readonly InstrumentKey[],
  params: Record<string, number> = BENCH_PARAMS,
): BacktestSpec => ({
  runId: 'bench',
  journalDir,
  startedMs: Date.UTC(2025, 0, 1, 3, 30),
  seed: 1,
  capitalPaise: 100_000_000,
  strategy: { kind: 'sma-cross', params, exits: {} },
  instruments,
  simulator: DEFAULT_SIMULATOR_CONFIG,
  limits: { maxOrdersPerSecond: 10 },
  data: { bench: true },
  codeVersion: 'bench',
})

// 1. Streaming out of the store as columns (what `bahi backtest` reads), and as drafts (the old input, for contrast).
const streamRates: number[] = []
const draftRates: number[] = []
let inMemory: BarBatch[] = []
for (let r = 0; r < REPEATS; r++) {
  let t0 = performance.now()
  const s = await store.streamBarBatches(query)
  if (E.isLeft(s)) throw new Error(s.left._tag)
  const chunks: BarBatch[] = []
  for await (const b of s.right) chunks.push(b)
  streamRates.push(chunks.reduce((n, c) => n + c.length, 0) / ((performance.now() - t0) / 1000))
  inMemory = chunks
  t0 = performance.now()
  const d = await store.streamBars(query)
  if (E.isLeft(d)) throw new Error(d.left._tag)
  let n = 0
  for await (const c of d.right) n += c.length
  draftRates.push(n / ((performance.now() - t0) / 1000))
}
const bars = inMemory.reduce((n, c) => n + c.length, 0)
const instruments = [...new Set(inMemory.flatMap((b) => [...b.keyIndex].map((k) => b.keys[k]!)))].sort()

// 2. The engine alone over the columns in memory: no store, no journal. What it hands the journal is kept from the
// last run: runs of bar rows, and the decisions' envelopes.
const engineRates: number[] = []
let events = 0
let runItems: AppendItem[] = []
for (let r = 0; r < REPEATS; r++) {
  const engine = createBuiltinEngine()
  const state = engine.initialState()
  const cursor = new BarCursor()
  const header: Envelope[] = []
  const pending: AppendItem[] = []
  let seq = 1
  const t0 = performance.now()
  for (const d of backtestHeader(spec('', instruments))) seq = runCascade(engine, state, d, seq, header)
  for (const chunk of inMemory) {
    seq = runBarRows(engine, state, chunk, seq, cursor, pending)
    if (r < REPEATS - 1) pending.length = 0
  }
  engineRates.push(bars / ((performance.now() - t0) / 1000))
  events = seq - 1
  runItems = pending
}

// 3. The journal alone, on the run's own events: the bars, and the decisions (renumbered, causation dropped, since
// on their own their causes are not in the journal). Together with 1 and 2 this is the cost model of the figure.
const journalOnly = async (items: readonly AppendItem[]): Promise<number> => {
  const dir = path.join(work, 'journal-only')
  const j = openFileJournal(dir, { log, durability: 'sync' })
  if (E.isLeft(j)) throw new Error(j.left._tag)
  const t0 = performance.now()
  let from = 0
  let total = 0
  while (from < items.length) {
    // Batches of about 16,384 events, as the batch driver appends them.
    let to = from
    let n = 0
    while (to < items.length && n < 16_384) n += appendItemEvents([items[to++]!])
    const a = await j.right.append(items.slice(from, to))
    if (E.isLeft(a)) throw new Error(a.left._tag)
    total += n
    from = to
  }
  await j.right.sync()
  const s = (performance.now() - t0) / 1000
  await j.right.close()
  fs.rmSync(dir, { recursive: true, force: true })
  return total / s
}
const barEvents: AppendItem[] = inMemory.map((columns) => ({ columns, from: 0, to: columns.length }))
const decisionEvents = runItems
  .filter((e): e is Envelope => !isBarRows(e))
  .map(({ causationId: _c, ...e }) => e as Envelope)
const journalBarRates: number[] = []
const journalDecisionRates: number[] = []
for (let r = 0; r < REPEATS; r++) {
  journalBarRates.push(await journalOnly(barEvents))
  journalDecisionRates.push(await journalOnly(decisionEvents))
}

// 4. End to end: store -> engine -> journal, as `bahi backtest` runs it (without the report). Timed from opening the
// stream; the wait for the first chunk (the query's start, which this thread sits out: a scan of bars the store keeps
// in stream order, or a sort of the whole range where it does not) is recorded.
// Then the same with sma-cross(500,2000), whose few decisions leave the bars' own cost: what no cheaper decision
// path could go below.
const endToEnd = async (params: Record<string, number>) => {
  const rates: number[] = []
  const firstChunkMs: number[] = []
  let decisions = 0
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now()
    const s = await store.streamBarBatches(query)
    if (E.isLeft(s)) throw new Error(s.left._tag)
    const timed = (async function* () {
      let first = true
      for await (const b of s.right) {
        if (first) firstChunkMs.push(performance.now() - t0)
        first = false
        yield b
      }
    })()
    const dir = path.join(work, `run-${r}`)
    const ran = await runBacktest(spec(dir, instruments, params), createBuiltinEngine(), timed, log)
    if (E.isLeft(ran)) throw new Error(ran.left)
    rates.push(ran.right.bars / ((performance.now() - t0) / 1000))
    decisions = ran.right.events - ran.right.bars
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return { rates, firstChunkMs, decisions }
}
const e2e = await endToEnd(BENCH_PARAMS)
const e2eRates = e2e.rates
const quiet = await endToEnd(QUIET_PARAMS)
store.close()
fs.rmSync(work, { recursive: true, force: true })
const peakMb = process.resourceUsage().maxRSS / 1024
/** Milliseconds for `n` items at `rate` per second. */
const ms = (n: number, rate: number): number => Math.round((n / rate) * 1000)

process.stdout.write(`backtest throughput, sma-cross(10,30) on ${fmt(bars)} real 1-minute bars of ${instruments.length} stocks (${fmt(events)} events), best of ${REPEATS}:
| stage | bars/s |
| --- | --- |
| store -> columns (DuckDB stream, what the backtest reads) | ${fmt(best(streamRates))} |
| store -> drafts (one object per bar, for contrast) | ${fmt(best(draftRates))} |
| engine only (bars in memory, no journal) | ${fmt(best(engineRates))} |
| end to end: store -> engine -> journal | ${fmt(best(e2eRates))} |
| end to end, sma-cross(500,2000): ${fmt(quiet.decisions)} events besides the bars | ${fmt(best(quiet.rates))} |

journal alone (open to synced, so each includes one fsync): ${fmt(bars)} bars at ${fmt(best(journalBarRates))} events/s (${ms(bars, best(journalBarRates))} ms); ${fmt(decisionEvents.length)} decisions and configuration events at ${fmt(best(journalDecisionRates))} events/s (${ms(decisionEvents.length, best(journalDecisionRates))} ms)
cost model, best figures per run: store ${ms(bars, best(streamRates))} ms + engine ${ms(bars, best(engineRates))} ms + journal ${ms(bars, best(journalBarRates)) + ms(decisionEvents.length, best(journalDecisionRates))} ms; end to end ${ms(bars, best(e2eRates))} ms, of which ${Math.round(Math.min(...e2e.firstChunkMs))}-${Math.round(Math.max(...e2e.firstChunkMs))} ms waiting for the first chunk; sma-cross(500,2000) end to end ${ms(bars, best(quiet.rates))} ms
peak RSS of the whole bench process: ${fmt(peakMb)} MB
all runs: stream ${streamRates.map(fmt).join(' / ')}; drafts ${draftRates.map(fmt).join(' / ')}; engine ${engineRates.map(fmt).join(' / ')}; e2e ${e2eRates.map(fmt).join(' / ')}; e2e sma-cross(500,2000) ${quiet.rates.map(fmt).join(' / ')}
`)

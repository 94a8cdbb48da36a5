import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { findPackageRoot, loadCalendar } from '../src/adapters/calendar/index.js'
import {
  importPath,
  listDataFiles,
  loadSymbolTable,
  type ParseFileOptions,
  prepareFile,
} from '../src/adapters/importers/index.js'
import {
  type BarRow,
  CREATE_TABLES,
  type MarketStore,
  openMarketStore,
  TABLES,
} from '../src/adapters/marketStore/index.js'

// `npx tsc -p tsconfig.bench.json && node dist/bench/marketStore.bench.js`
// The market store's figures on the real equity 1-minute set (260,625 bars, read in place from NSE_DATA_DIR, else
// ../shared/data/nse), each next to a naive baseline measured in the same run:
// - import (read + parse + inspect + write, one transaction per ~300k rows) vs parsed rows INSERTed one by one
//   through a prepared statement (measured on BASELINE_ROWS rows, reported as a rate);
// - streaming bars out merged in time order, columnar batches and `BarClosed` drafts, vs a materialised
//   `SELECT … ORDER BY` turned into row objects and then drafts.
// Figures vary with machine load (2 shared cores): read them as orders of magnitude. Nothing is asserted.

const BASELINE_ROWS = Number(process.env.BENCH_BASELINE_ROWS ?? 20_000)
const here = dirname(fileURLToPath(import.meta.url))
const root = findPackageRoot(here) ?? resolve(here, '..', '..')
const dataDir = resolve(process.env.NSE_DATA_DIR ?? join(root, '..', 'shared', 'data', 'nse'))
const equityDir = join(dataDir, 'equity-1min-2025', '5Scripts')
const log = pino({ level: 'silent' })
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const work = mkdtempSync(join(tmpdir(), 'bahi-market-bench-'))

const must = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

const lines: string[] = []
const report = (metric: string, bahi: number, baseline: number, unit: string) => {
  const line = `${metric.padEnd(44)} ${`${fmt(bahi)} ${unit}`.padStart(20)}   baseline ${`${fmt(baseline)} ${unit}`.padStart(18)}   ${(bahi / baseline).toFixed(1)}x`
  lines.push(line)
  process.stderr.write(`${line}\n`)
}

const IMPORTS = Number(process.env.BENCH_IMPORTS ?? 5)
const STREAM_RUNS = Number(process.env.BENCH_STREAM_RUNS ?? 7)

const main = async () => {
  const opts: ParseFileOptions = {
    policy: 'skip',
    symbolKeys: must(loadSymbolTable(join(root, 'data', 'instruments', 'nse-symbols.csv'))),
    calendar: must(loadCalendar()),
  }
  // Warm the parser (JIT) on one symbol so the import figure is not a cold-start figure.
  for (const f of listDataFiles(join(equityDir, 'TCS')).slice(0, 20)) prepareFile(f, opts, log)

  // Import: the whole set into a fresh store, IMPORTS times (each into its own new store): one run on 2 shared cores
  // is mostly noise, so the figure is the median; the first (the process's first write, with its warm-up) is shown.
  const importTimes: number[] = []
  let store: MarketStore | undefined
  for (let r = 0; r < IMPORTS; r++) {
    const s = must(await openMarketStore(join(work, `market-${r}.duckdb`), log))
    const t = performance.now()
    const summary = must(await importPath(s, equityDir, opts, log))
    importTimes.push((performance.now() - t) / 1000)
    if (summary.imported !== 260_625) throw new Error(`expected 260,625 bars, imported ${summary.imported}`)
    if (store === undefined) store = s
    else s.close()
  }
  if (store === undefined) throw new Error('no import ran')
  const importS = [...importTimes].sort((a, b) => a - b)[Math.floor(importTimes.length / 2)] as number
  let t0 = performance.now()
  const again = must(await importPath(store, equityDir, opts, log))
  const reimportS = (performance.now() - t0) / 1000
  if (again.imported !== 0) throw new Error('re-import changed the store')

  // Parse only (no store), to split the import figure.
  t0 = performance.now()
  let parsed: BarRow[] = []
  for (const f of listDataFiles(equityDir)) for (const b of prepareFile(f, opts, log).rows?.bars ?? []) parsed.push(b)
  const parseS = (performance.now() - t0) / 1000

  // Naive baseline: the same parsed rows, one prepared INSERT per row, in one transaction.
  const naive = await DuckDBInstance.create(join(work, 'naive.duckdb'))
  const nc = await naive.connect()
  for (const ddl of CREATE_TABLES) await nc.run(ddl)
  const stmt = await nc.prepare(`INSERT INTO ${TABLES.bars} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
  const sample = parsed.slice(0, BASELINE_ROWS)
  // The parse's 260k rows would otherwise stay alive (and be walked by every full GC) through the streaming below.
  parsed = []
  t0 = performance.now()
  await nc.run('BEGIN TRANSACTION')
  for (const b of sample) {
    stmt.bind([
      b.instrumentKey,
      b.timeframe,
      BigInt(b.openMs),
      BigInt(b.openPaise),
      BigInt(b.highPaise),
      BigInt(b.lowPaise),
      BigInt(b.closePaise),
      BigInt(b.volume),
      BigInt(b.oi),
      b.flags,
    ])
    await stmt.run()
  }
  await nc.run('COMMIT')
  const naiveS = (performance.now() - t0) / 1000

  report('import, whole equity set (rows/s, median)', 260_625 / importS, sample.length / naiveS, 'rows/s')
  lines.push(
    `  import median ${importS.toFixed(2)} s for 260,625 rows of ${IMPORTS} (${importTimes.map((x) => x.toFixed(2)).join(', ')} s, the first cold; of which parsing ~${parseS.toFixed(2)} s); re-import ${reimportS.toFixed(2)} s; baseline ${fmt(sample.length)} rows in ${naiveS.toFixed(2)} s`,
  )

  // Streaming: all 5 instruments merged in time order.
  const keys = [
    'NSE_EQ|INE002A01018',
    'NSE_EQ|INE467B01029',
    'NSE_EQ|INE090A01021',
    'NSE_EQ|INE397D01024',
    'NSE_EQ|INE917I01010',
  ]
  const q = { instrumentKeys: keys, timeframe: '1m' as const }
  // Each stream is run STREAM_RUNS times and its median taken (the first run, cold, is usually the slowest).
  const median = async (f: () => Promise<number>): Promise<{ median: number; runs: number[] }> => {
    const runs: number[] = []
    for (let i = 0; i < STREAM_RUNS; i++) {
      const s0 = performance.now()
      const n = await f()
      if (n !== 260_625) throw new Error(`streamed ${n} bars`)
      runs.push(260_625 / ((performance.now() - s0) / 1000))
    }
    return { median: [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number, runs }
  }
  const columnar = await median(async () => {
    let n = 0
    let check = 0
    for await (const b of must(await store.streamBarBatches(q))) {
      for (let i = 0; i < b.length; i++) check += b.closePaise[i] as number
      n += b.length
    }
    return check > 0 ? n : 0
  })
  const drafts = await median(async () => {
    let n = 0
    for await (const batch of must(await store.streamBars(q))) n += batch.length
    return n
  })
  const sc = await naive.connect()
  store.close()
  await sc.run(`ATTACH '${join(work, 'market-0.duckdb').replaceAll("'", "''")}' AS m (READ_ONLY)`)
  const naiveStream = await median(async () => {
    const reader = await sc.runAndReadAll(
      `SELECT * FROM m.${TABLES.bars} WHERE timeframe = '1m' ORDER BY open_ms, instrument_key`,
    )
    const out = reader.getRowObjectsJS().map((r) => ({
      type: 'BarClosed',
      ts: Number(r.open_ms) + 60_000,
      payload: {
        instrumentKey: String(r.instrument_key),
        timeframe: '1m',
        openMs: Number(r.open_ms),
        openPaise: Number(r.open_paise),
        highPaise: Number(r.high_paise),
        lowPaise: Number(r.low_paise),
        closePaise: Number(r.close_paise),
        volume: Number(r.volume),
      },
    }))
    return out.length
  })
  report('stream, columnar batches (bars/s, median)', columnar.median, naiveStream.median, 'bars/s')
  report('stream, BarClosed drafts (bars/s, median)', drafts.median, naiveStream.median, 'bars/s')
  const all = (r: { runs: number[] }) => r.runs.map((x) => (x / 1e6).toFixed(2)).join(' ')
  lines.push(
    `  stream runs in M bars/s, in order: columnar ${all(columnar)}; drafts ${all(drafts)}; baseline ${all(naiveStream)}`,
  )
  sc.closeSync()
  nc.closeSync()
  naive.closeSync()
  process.stdout.write(`\nmarket store, ${new Date().toISOString()}\n${lines.join('\n')}\n`)
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = 1
  })
  .finally(() => rmSync(work, { recursive: true, force: true }))

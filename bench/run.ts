import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { openFileJournal, openJournalReader } from '../src/journal/index.js'
import { createTradingState, evolveTradingState } from '../src/projections/index.js'
import { mixBatch, mixEvent } from './eventMix.js'
import { openSqliteJournal } from './sqliteBaseline.js'

// `npm run bench`: the journal's figures, each next to the SQLite-row-per-event baseline measured in the same run.
// Sizes: BENCH_EVENTS (default 2,000,000) for throughput, BENCH_BIG_EVENTS (default 20,000,000) for the replay
// memory figure. Figures vary with machine load (2 shared cores here): read them as orders of magnitude.

const N = Number(process.env.BENCH_EVENTS ?? 2_000_000)
const BIG = Number(process.env.BENCH_BIG_EVENTS ?? 20_000_000)
const BATCH = 10_000
const SINGLES = 2_000
const here = path.dirname(fileURLToPath(import.meta.url))
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-bench-'))

const rows: [string, string, string, string][] = []
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const row = (metric: string, bahi: number, baseline: number | undefined, unit: string, higherIsBetter = true) => {
  const ratio = baseline === undefined ? '' : `${(higherIsBetter ? bahi / baseline : baseline / bahi).toFixed(1)}x`
  rows.push([metric, `${fmt(bahi)} ${unit}`, baseline === undefined ? '-' : `${fmt(baseline)} ${unit}`, ratio])
  process.stderr.write(
    `  ${metric}: ${fmt(bahi)} ${unit}${baseline === undefined ? '' : ` (baseline ${fmt(baseline)})`}\n`,
  )
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!

const must = <T>(r: E.Either<unknown, T>): T => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

// 1. Durable append in batches (group commit: several appends in flight, each acknowledged once fsync'd).
const jdir = path.join(work, 'journal')
const journal = must(openFileJournal(jdir))
{
  // A few distinct batches, reused: drafts carry no seq, and holding millions of drafts would measure the GC.
  const pool = Array.from({ length: 8 }, (_, b) => mixBatch(b * BATCH, BATCH))
  const t0 = performance.now()
  for (let i = 0; i < N; ) {
    const acks: Promise<E.Either<unknown, unknown>>[] = []
    for (let k = 0; k < 4 && i < N; k++, i += BATCH) acks.push(journal.append(pool[(i / BATCH) % pool.length]!))
    for (const a of await Promise.all(acks)) must(a)
  }
  const bahi = N / ((performance.now() - t0) / 1000)
  const sq = openSqliteJournal(path.join(work, 'baseline.sqlite'))
  const t1 = performance.now()
  for (let i = 0; i < N; i += BATCH) sq.appendBatch(pool[(i / BATCH) % pool.length]!)
  const base = N / ((performance.now() - t1) / 1000)
  sq.close()
  row(`durable append, batches of ${BATCH}`, bahi, base, 'events/s')
}

// 2. Latency of one acknowledged (fsync'd) append of a single event.
{
  const lat: number[] = []
  for (let i = 0; i < SINGLES; i++) {
    const t = performance.now()
    must(await journal.append([mixEvent(N + i)]))
    lat.push((performance.now() - t) * 1000)
  }
  const sq = openSqliteJournal(path.join(work, 'baseline-single.sqlite'))
  const base: number[] = []
  for (let i = 0; i < SINGLES; i++) {
    const t = performance.now()
    sq.appendOne(mixEvent(i))
    base.push((performance.now() - t) * 1000)
  }
  sq.close()
  row('single durable append p50', pct(lat, 50), pct(base, 50), 'us', false)
  row('single durable append p99', pct(lat, 99), pct(base, 99), 'us', false)
}
await journal.close()

// 3. Replay: read + decode (+ checksum) + fold every projection.
{
  const reader = must(openJournalReader(jdir))
  let best = 0
  for (let k = 0; k < 3; k++) {
    const state = createTradingState()
    const t0 = performance.now()
    const r = must(
      await reader.scan({}, (e) => {
        evolveTradingState(state, e)
      }),
    )
    best = Math.max(best, r.count / ((performance.now() - t0) / 1000))
  }
  let readBest = 0
  for (let k = 0; k < 2; k++) {
    const state = createTradingState()
    const t0 = performance.now()
    let n = 0
    for await (const b of reader.read()) {
      for (const e of must(b)) evolveTradingState(state, e)
      n += must(b).length
    }
    readBest = Math.max(readBest, n / ((performance.now() - t0) / 1000))
  }
  await reader.close()
  const sq = openSqliteJournal(path.join(work, 'baseline.sqlite'))
  let base = 0
  for (let k = 0; k < 2; k++) {
    const state = createTradingState()
    const t0 = performance.now()
    const n = sq.scan((e) => evolveTradingState(state, e))
    base = Math.max(base, n / ((performance.now() - t0) / 1000))
  }
  sq.close()
  row('replay: scan + decode + fold all projections', best, base, 'events/s')
  row('replay: read() stream (fresh objects) + fold', readBest, base, 'events/s')
}

// 4. Memory while replaying a big journal, in a process of its own.
{
  const bigDir = path.join(work, 'big')
  const big = must(openFileJournal(bigDir))
  const t0 = performance.now()
  for (let i = 0; i < BIG; ) {
    const acks: Promise<unknown>[] = []
    for (let k = 0; k < 8 && i < BIG; k++, i += BATCH) acks.push(big.append(mixBatch(i, Math.min(BATCH, BIG - i))))
    for (const a of await Promise.all(acks)) must(a as E.Either<unknown, unknown>)
  }
  await big.close()
  process.stderr.write(`  wrote ${fmt(BIG)} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
  const child = spawnSync(process.execPath, [path.join(here, 'replayMemory.js'), bigDir], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(child.stderr)
  const m = JSON.parse(child.stdout) as { events: number; eventsPerSecond: number; maxRssMB: number }
  row(`replay of ${fmt(m.events)} events: peak RSS`, m.maxRssMB, undefined, 'MB', false)
  row(`replay of ${fmt(m.events)} events: throughput`, m.eventsPerSecond, undefined, 'events/s')
}

fs.rmSync(work, { recursive: true, force: true })
const width = [0, 1, 2, 3].map((c) =>
  Math.max(...[['metric', 'bahi', 'baseline (SQLite row+JSON)', 'ratio'], ...rows].map((r) => r[c]!.length)),
)
const line = (r: string[]) => r.map((c, i) => c.padEnd(width[i]!)).join(' | ')
console.log(`bahi journal benchmarks (${os.cpus().length} cores, node ${process.version}, ${fmt(N)} events)`)
console.log(line(['metric', 'bahi', 'baseline (SQLite row+JSON)', 'ratio']))
console.log(width.map((w) => '-'.repeat(w)).join('-|-'))
for (const r of rows) console.log(line(r))

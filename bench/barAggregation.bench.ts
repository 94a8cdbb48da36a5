import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseNiftyIndex1sCsv } from '../src/adapters/tickFiles/index.js'
import { createTradingCalendar } from '../src/domain/calendar/index.js'
import { type InstrumentKey, unsafe } from '../src/domain/ids/index.js'
import { istInstant } from '../src/domain/time/index.js'
import { type BarTick, createBarAggregator } from '../src/projections/bars/index.js'

// Ticks per second through the tick -> 1-minute bar aggregator, next to a naive baseline in the same run:
// an immutable-copy reducer (a new state record and a new bar object per tick, the way a "pure" reducer is often
// written). Standalone:
//
//   npx tsc -p tsconfig.bench.json && node dist/bench/barAggregation.bench.js
//
// Streams: (1) the real per-second NIFTY 50 values of Nov 2022 (`index-1s-2022-11` under NSE_DATA_DIR, default
// ../shared/data/nse beside the repository; skipped when absent): one instrument, no volume; (2) a seeded synthetic
// stream of 50 instruments with cumulative volume, ~1 tick/s each over one session, interleaved. Tick objects are
// built before timing; each case runs BENCH_PASSES passes (default 5) with a fresh aggregator; the median is printed.
// Figures vary with load (2 shared cores here).

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')
const dataDir = path.resolve(process.env.NSE_DATA_DIR ?? path.join(repoRoot, '..', 'shared', 'data', 'nse'))
const PASSES = Number(process.env.BENCH_PASSES ?? 5)
const sessionOn = createTradingCalendar([]).sessionOn

const loadNifty = (): BarTick[] | undefined => {
  const dir = path.join(dataDir, 'index-1s-2022-11')
  if (!fs.existsSync(dir)) return undefined
  const out: BarTick[] = []
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.csv')) continue
    for (const t of parseNiftyIndex1sCsv(fs.readFileSync(path.join(dir, f), 'utf8')).ticks) out.push(t.payload)
  }
  return out
}

const synthetic = (instruments: number): BarTick[] => {
  let seed = 42
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
    return seed / 4294967296
  }
  const keys: InstrumentKey[] = Array.from({ length: instruments }, (_, i) => unsafe.instrumentKey(`NSE_EQ|SYN${i}`))
  const price = keys.map(() => 100_000)
  const cum = keys.map(() => 0)
  const open = istInstant('2025-01-02', '09:15')!
  const out: BarTick[] = []
  for (let s = 0; s < 22_500; s++) {
    for (let i = 0; i < instruments; i++) {
      price[i] = Math.max(5, (price[i] ?? 0) + Math.round((rnd() - 0.5) * 20) * 5)
      cum[i] = (cum[i] ?? 0) + Math.floor(rnd() * 10) * 25
      out.push({
        instrumentKey: keys[i]!,
        ltpPaise: price[i]!,
        lttMs: open + s * 1000 + Math.floor(rnd() * 1000),
        volume: cum[i]!,
      })
    }
  }
  return out
}

/** The naive baseline: a copy-on-write reducer over a record of bars, one new state and one new bar per tick. */
interface NaiveBar {
  readonly minute: number
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
  readonly lastVol: number
}
type NaiveState = Readonly<{ bars: Readonly<Record<string, NaiveBar>>; closed: number }>
const naiveStep = (s: NaiveState, t: BarTick): NaiveState => {
  const minute = Math.floor(t.lttMs / 60_000)
  const b = s.bars[t.instrumentKey]
  const vol = t.volume ?? 0
  if (b === undefined || b.minute !== minute) {
    const bar: NaiveBar = {
      minute,
      open: t.ltpPaise,
      high: t.ltpPaise,
      low: t.ltpPaise,
      close: t.ltpPaise,
      volume: 0,
      lastVol: vol,
    }
    return { bars: { ...s.bars, [t.instrumentKey]: bar }, closed: s.closed + (b === undefined ? 0 : 1) }
  }
  return {
    ...s,
    bars: {
      ...s.bars,
      [t.instrumentKey]: {
        ...b,
        high: Math.max(b.high, t.ltpPaise),
        low: Math.min(b.low, t.ltpPaise),
        close: t.ltpPaise,
        volume: b.volume + Math.max(0, vol - b.lastVol),
        lastVol: Math.max(b.lastVol, vol),
      },
    },
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const time = (run: () => number): { ticksPerSec: number; check: number } => {
  const rates: number[] = []
  let check = 0
  for (let p = 0; p < PASSES; p++) {
    const t0 = process.hrtime.bigint()
    const n = run()
    const dt = Number(process.hrtime.bigint() - t0) / 1e9
    rates.push(n / dt)
    check = n
  }
  return { ticksPerSec: median(rates), check }
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M ticks/s`

const benchStream = (
  name: string,
  ticks: readonly BarTick[],
  timeframes: readonly ('1m' | '5m' | '15m' | '1h' | '1d')[],
) => {
  let bars = 0
  const ours = time(() => {
    const agg = createBarAggregator({ sessionOn, timeframes })
    for (let i = 0; i < ticks.length; i++) bars += agg.onTick(ticks[i]!).length
    bars += agg.flush(Number.POSITIVE_INFINITY).length
    return ticks.length
  })
  const naive = time(() => {
    let s: NaiveState = { bars: {}, closed: 0 }
    for (let i = 0; i < ticks.length; i++) s = naiveStep(s, ticks[i]!)
    bars += s.closed
    return ticks.length
  })
  console.log(
    `${name.padEnd(44)} ${String(ticks.length).padStart(9)} ticks  bahi ${fmt(ours.ticksPerSec).padStart(16)}` +
      `  naive ${fmt(naive.ticksPerSec).padStart(16)}  x${(ours.ticksPerSec / naive.ticksPerSec).toFixed(1)}`,
  )
  return bars
}

const main = () => {
  console.log(`bar aggregation, ${PASSES} passes, median; node ${process.version}`)
  let sink = 0
  const nifty = loadNifty()
  if (nifty === undefined) console.log('(real NIFTY 1s data not found: set NSE_DATA_DIR)')
  else {
    sink += benchStream('NIFTY 1s Nov 2022, 1 instrument, 1m', nifty, ['1m'])
    sink += benchStream('NIFTY 1s Nov 2022, 1 instrument, 1m+5m+15m+1h+1d', nifty, ['1m', '5m', '15m', '1h', '1d'])
  }
  const syn = synthetic(50)
  sink += benchStream('synthetic, 50 instruments interleaved, 1m', syn, ['1m'])
  sink += benchStream('synthetic, 50 instruments, 1m+5m+15m+1h+1d', syn, ['1m', '5m', '15m', '1h', '1d'])
  console.log(`(bars emitted across all runs: ${sink})`)
}

main()

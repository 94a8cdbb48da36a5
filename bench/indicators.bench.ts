import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ti from 'technicalindicators'
import * as ts from 'trading-signals'
import {
  Adx,
  Atr,
  Bollinger,
  Ema,
  Highest,
  Lowest,
  Macd,
  Obv,
  Rsi,
  Sma,
  Supertrend,
  typicalPrice,
  VolumeAverage,
  Vwap,
  Wma,
} from '../src/domain/indicators/index.js'

// Indicator updates per second: ours next to `technicalindicators` (its streaming `nextValue`) and `trading-signals`
// (its `add`), in the same run, on the same bars. Standalone:
//
//   npx tsc -p tsconfig.bench.json && node dist/bench/indicators.bench.js
//
// Bars: every 1-minute bar of the five stocks in `equity-1min-2025/5Scripts` under NSE_DATA_DIR (default
// ../shared/data/nse beside the repository), in time order per symbol; a seeded synthetic random walk when absent.
// Each (indicator, library) is timed over BENCH_PASSES passes (default 7); a pass makes a fresh instance and feeds it
// the whole series BENCH_LOOPS times (default 4). The libraries take turns pass by pass, so a change in machine load
// hits all three alike, and each one's median pass is reported. The libraries that take candles get objects built once before timing (ours
// takes plain numbers), so object allocation is not charged to them. Figures vary with load (2 shared cores here).

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')
const dataDir = path.resolve(process.env.NSE_DATA_DIR ?? path.join(repoRoot, '..', 'shared', 'data', 'nse'))
const PASSES = Number(process.env.BENCH_PASSES ?? 7)
/** Each timed pass feeds the whole series this many times to one instance, so a pass takes tens of milliseconds. */
const LOOPS = Number(process.env.BENCH_LOOPS ?? 4)
const IST_OFFSET_MS = 19_800_000

interface Series {
  readonly source: string
  readonly n: number
  readonly ts: Float64Array
  readonly high: Float64Array
  readonly low: Float64Array
  readonly close: Float64Array
  readonly volume: Float64Array
  readonly tp: Float64Array
  readonly candles: readonly { high: number; low: number; close: number; volume: number; open: number }[]
}

const fromRows = (source: string, rows: number[][]): Series => {
  const n = rows.length
  const col = (k: number) => Float64Array.from(rows, (r) => r[k] as number)
  const [tsMs, high, low, close, volume] = [col(0), col(1), col(2), col(3), col(4)]
  const tp = new Float64Array(n)
  for (let i = 0; i < n; i++) tp[i] = typicalPrice(high[i] as number, low[i] as number, close[i] as number)
  const candles = rows.map((r) => ({
    open: r[3] as number,
    high: r[1] as number,
    low: r[2] as number,
    close: r[3] as number,
    volume: r[4] as number,
  }))
  return { source, n, ts: tsMs, high, low, close, volume, tp, candles }
}

const loadReal = (): Series | undefined => {
  const root = path.join(dataDir, 'equity-1min-2025', '5Scripts')
  if (!fs.existsSync(root)) return undefined
  const rows: number[][] = []
  const symbols = fs.readdirSync(root).sort()
  for (const sym of symbols) {
    const key = (f: string) => f.slice(6, 10) + f.slice(3, 5) + f.slice(0, 2)
    const files = fs
      .readdirSync(path.join(root, sym))
      .filter((f) => /^\d\d-\d\d-\d{4}\.csv$/.test(f))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
    for (const f of files) {
      const lines = fs
        .readFileSync(path.join(root, sym, f), 'utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)
      for (let i = 1; i < lines.length; i++) {
        const c = (lines[i] ?? '').split(',')
        if (c.length < 7) continue
        const [dd, mm, yy] = (c[0] ?? '').split('-').map(Number)
        const [hh, mi] = (c[1] ?? '').split(':').map(Number)
        const t = Date.UTC(yy ?? 0, (mm ?? 1) - 1, dd ?? 1, hh ?? 0, mi ?? 0) - IST_OFFSET_MS
        rows.push([t, Number(c[3]), Number(c[4]), Number(c[5]), Number(c[6])])
      }
    }
  }
  return rows.length > 0 ? fromRows(`real 1-minute bars, ${symbols.join(', ')}`, rows) : undefined
}

const synthetic = (n: number): Series => {
  let seed = 42
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0
    return seed / 4_294_967_296
  }
  const rows: number[][] = []
  let p = 1000
  let t = Date.UTC(2025, 0, 1, 3, 45)
  for (let i = 0; i < n; i++) {
    p = Math.max(1, p + (rnd() - 0.5) * 2)
    const h = p + rnd()
    const l = p - rnd()
    rows.push([t, h, l, p, Math.floor(rnd() * 10_000)])
    t += i % 375 === 374 ? 86_400_000 - 374 * 60_000 : 60_000
  }
  return fromRows(`synthetic random walk (real data not found at ${dataDir})`, rows)
}

const s = loadReal() ?? synthetic(250_000)
let sink = 0
const acc = (x: number | null | undefined) => {
  if (typeof x === 'number' && !Number.isNaN(x)) sink += x
}

type Run = () => void
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const timePass = (run: Run): number => {
  const t0 = performance.now()
  run()
  return (s.n * LOOPS) / ((performance.now() - t0) / 1000)
}
/** Median updates/s of each run over PASSES passes, taking turns (after one warm-up pass each). */
const measure = (runs: readonly Run[]): number[] => {
  for (const r of runs) r()
  const rates = runs.map((): number[] => [])
  for (let p = 0; p < PASSES; p++) {
    for (let k = 0; k < runs.length; k++) rates[k]?.push(timePass(runs[k] as Run))
  }
  return rates.map(median)
}

interface Case {
  readonly name: string
  readonly ours: Run
  readonly ti?: Run
  readonly ts?: Run
}

const { n, high, low, close, volume, tp, candles } = s
const cases: Case[] = [
  {
    name: 'SMA(20)',
    ours: () => {
      const o = new Sma(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number))
    },
    ti: () => {
      const o = new ti.SMA({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number))
    },
    ts: () => {
      const o = new ts.SMA(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number))
    },
  },
  {
    name: 'EMA(20)',
    ours: () => {
      const o = new Ema(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number))
    },
    ti: () => {
      const o = new ti.EMA({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number))
    },
    ts: () => {
      const o = new ts.EMA(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number))
    },
  },
  {
    name: 'WMA(20)',
    ours: () => {
      const o = new Wma(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number))
    },
    ti: () => {
      const o = new ti.WMA({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number))
    },
    ts: () => {
      const o = new ts.WMA(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number))
    },
  },
  {
    name: 'RSI(14)',
    ours: () => {
      const o = new Rsi(14)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number))
    },
    ti: () => {
      const o = new ti.RSI({ period: 14, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number))
    },
    ts: () => {
      const o = new ts.RSI(14)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number))
    },
  },
  {
    name: 'MACD(12,26,9)',
    ours: () => {
      const o = new Macd(12, 26, 9)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number).histogram)
    },
    ti: () => {
      const o = new ti.MACD({
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
        values: [],
      })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number)?.histogram)
    },
    ts: () => {
      const o = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9))
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number)?.histogram)
    },
  },
  {
    name: 'ATR(14)',
    ours: () => {
      const o = new Atr(14)
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.update(high[i] as number, low[i] as number, close[i] as number))
    },
    ti: () => {
      const o = new ti.ATR({ period: 14, high: [], low: [], close: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(candles[i] as ti.CandleData))
    },
    ts: () => {
      const o = new ts.ATR(14)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(candles[i] as ts.HighLowClose<number>))
    },
  },
  {
    name: 'ADX(14)',
    ours: () => {
      const o = new Adx(14)
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.update(high[i] as number, low[i] as number, close[i] as number).adx)
    },
    ti: () => {
      const o = new ti.ADX({ period: 14, high: [], low: [], close: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(candles[i] as unknown as number)?.adx)
    },
    ts: () => {
      const o = new ts.ADX(14)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(candles[i] as ts.HighLowClose<number>))
    },
  },
  {
    name: 'Bollinger(20,2)',
    ours: () => {
      const o = new Bollinger(20, 2)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number).upper)
    },
    ti: () => {
      const o = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(close[i] as number)?.upper)
    },
    ts: () => {
      const o = new ts.BollingerBands(20, 2)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(close[i] as number)?.upper)
    },
  },
  {
    name: 'VWAP (ours resets per IST session)',
    ours: () => {
      const o = new Vwap()
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.update(s.ts[i] as number, tp[i] as number, volume[i] as number))
    },
    ti: () => {
      const o = new ti.VWAP({ high: [], low: [], close: [], volume: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(candles[i] as ti.CandleData))
    },
    ts: () => {
      const o = new ts.VWAP()
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.add(candles[i] as ts.HighLowCloseVolume<number>))
    },
  },
  {
    name: 'Supertrend(10,3)',
    ours: () => {
      const o = new Supertrend(10, 3)
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.update(high[i] as number, low[i] as number, close[i] as number).value)
    },
    ts: () => {
      const o = new ts.SuperTrend({ interval: 10, multiplier: 3 })
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.add(candles[i] as ts.HighLowClose<number>)?.supertrend)
    },
  },
  {
    name: 'OBV',
    ours: () => {
      const o = new Obv()
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(close[i] as number, volume[i] as number))
    },
    ti: () => {
      const o = new ti.OBV({ close: [], volume: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(candles[i] as ti.CandleData))
    },
    ts: () => {
      const o = new ts.OBV(2)
      for (let l = 0; l < LOOPS; l++)
        for (let i = 0; i < n; i++) acc(o.add(candles[i] as ts.OpenHighLowCloseVolume<number>))
    },
  },
  {
    name: 'volume average(20) (an SMA)',
    ours: () => {
      const o = new VolumeAverage(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(volume[i] as number))
    },
    ti: () => {
      const o = new ti.SMA({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(volume[i] as number))
    },
    ts: () => {
      const o = new ts.SMA(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.add(volume[i] as number))
    },
  },
  {
    name: 'Highest(20)',
    ours: () => {
      const o = new Highest(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(high[i] as number))
    },
    ti: () => {
      const o = new ti.Highest({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(high[i] as number))
    },
  },
  {
    name: 'Lowest(20)',
    ours: () => {
      const o = new Lowest(20)
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.update(low[i] as number))
    },
    ti: () => {
      const o = new ti.Lowest({ period: 20, values: [] })
      for (let l = 0; l < LOOPS; l++) for (let i = 0; i < n; i++) acc(o.nextValue(low[i] as number))
    },
  },
]

const fmt = (x: number | undefined) => (x === undefined ? '-' : `${(x / 1e6).toFixed(2)}M`)
const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : `${(a / b).toFixed(1)}x`)

process.stderr.write(
  `indicators bench: ${s.n.toLocaleString('en-US')} bars (${s.source}), ${PASSES} passes of ${LOOPS} loops\n`,
)
const lines = [
  '| indicator | bahi (updates/s) | technicalindicators | trading-signals | vs ti | vs ts |',
  '|---|---:|---:|---:|---:|---:|',
]
const results: { name: string; ours: number; ti?: number; ts?: number }[] = []
for (const c of cases) {
  const runs = [c.ours, ...(c.ti ? [c.ti] : []), ...(c.ts ? [c.ts] : [])]
  const rates = measure(runs)
  const ours = rates[0] as number
  const tiRate = c.ti ? rates[1] : undefined
  const tsRate = c.ts ? rates[c.ti ? 2 : 1] : undefined
  results.push({
    name: c.name,
    ours,
    ...(tiRate === undefined ? {} : { ti: tiRate }),
    ...(tsRate === undefined ? {} : { ts: tsRate }),
  })
  const line = `| ${c.name} | ${fmt(ours)} | ${fmt(tiRate)} | ${fmt(tsRate)} | ${ratio(ours, tiRate)} | ${ratio(ours, tsRate)} |`
  lines.push(line)
  process.stderr.write(`${line}\n`)
}
const slower = results.filter((r) => (r.ti !== undefined && r.ours <= r.ti) || (r.ts !== undefined && r.ours <= r.ts))
process.stdout.write(`\n${lines.join('\n')}\n\n`)
process.stdout.write(
  slower.length === 0
    ? 'bahi is faster than both libraries on every indicator they share.\n'
    : `NOT faster on: ${slower.map((r) => r.name).join(', ')}\n`,
)
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify({ bars: s.n, source: s.source, results })}\n`)
process.stderr.write(`(checksum ${sink.toExponential(3)})\n`)

import * as readline from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { openMarketStore } from '../../src/adapters/marketStore/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../src/adapters/synthetic/index.js'

// A writer that holds the DuckDB store while the parent runs readers beside it (an import, or the market-data node,
// stood still): writes `<days>` days of synthetic 1-minute bars of RELIANCE and TCS from 2025-01-01, and four ticks
// inside each bar (its open, high, low and close, with cumulative volume), and one instrument row naming RELIANCE's
// key by a trading symbol of its own (RELSEALED, which only the store knows), prints `holding <bars>`, then obeys
// stdin lines: `seal <date>` seals the days before the date, bars into `<sealedDir>` and ticks into
// `<sealedTicksDir>`, and the instruments into `<sealedInstrumentsDir>`, and prints `sealed <bars> <ticks>`; `release`
// closes the store and exits (printing `released`).

const [storePath, sealedDir, sealedTicksDir, sealedInstrumentsDir, daysArg] = process.argv.slice(2)
const calendar = loadCalendar()
if (
  E.isLeft(calendar) ||
  storePath === undefined ||
  sealedDir === undefined ||
  sealedTicksDir === undefined ||
  sealedInstrumentsDir === undefined
)
  throw new Error('usage')
const store = await openMarketStore(storePath, pino({ level: 'silent' }))
if (E.isLeft(store)) throw new Error(JSON.stringify(store.left))
let written = 0
{
  const w = await store.right.write({
    instruments: [
      {
        instrumentKey: DEFAULT_SYNTHETIC_INSTRUMENTS[0]!.instrumentKey,
        exchange: 'NSE',
        segment: 'NSE_EQ',
        tradingSymbol: 'RELSEALED',
        name: 'HAND-WRITTEN FIXTURE',
        isin: null,
        lotSize: 1,
        tickSizePaise: 5,
        instrumentType: 'EQ',
        expiryMs: null,
        strikePaise: null,
      },
    ],
  })
  if (E.isLeft(w)) throw new Error(JSON.stringify(w.left))
}
const cumulative = new Map<string, number>()
for (const day of syntheticBars({
  calendar: calendar.right,
  instruments: DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2),
  from: '2025-01-01',
  days: Number(daysArg),
  seed: 5,
})) {
  const ticks = day.flatMap((b) => {
    const p = b.payload
    const base = cumulative.get(p.instrumentKey) ?? 0
    const quarter = Math.max(1, Math.floor(p.volume / 4))
    cumulative.set(p.instrumentKey, base + 4 * quarter)
    const at = [1_000, 15_000, 30_000, 59_000]
    const price =
      p.closePaise >= p.openPaise
        ? [p.openPaise, p.lowPaise, p.highPaise, p.closePaise]
        : [p.openPaise, p.highPaise, p.lowPaise, p.closePaise]
    return at.map((dt, i) => ({
      instrumentKey: p.instrumentKey,
      lttMs: p.openMs + dt,
      seq: 0,
      ltpPaise: price[i]!,
      ltq: quarter,
      volume: base + (i + 1) * quarter,
      oi: null,
    }))
  })
  const w = await store.right.write({ bars: day.map((b) => ({ ...b.payload, oi: 0, flags: 0 })), ticks })
  if (E.isLeft(w)) throw new Error(JSON.stringify(w.left))
  written += day.length
}
process.stdout.write(`holding ${written}\n`)
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ')
  if (command === 'seal' && arg !== undefined) {
    const sealed = await store.right.sealParquet(sealedDir, arg)
    if (E.isLeft(sealed)) throw new Error(JSON.stringify(sealed.left))
    const ticks = await store.right.sealTicksParquet(sealedTicksDir, arg)
    if (E.isLeft(ticks)) throw new Error(JSON.stringify(ticks.left))
    const instruments = await store.right.sealInstrumentsParquet(sealedInstrumentsDir)
    if (E.isLeft(instruments)) throw new Error(JSON.stringify(instruments.left))
    process.stdout.write(`sealed ${sealed.right.rows} ${ticks.right.rows}\n`)
  } else if (command === 'release') break
  else throw new Error(`unknown command ${line}`)
}
store.right.close()
// The parent keeps its end of stdin open: let go of it, or this process never exits.
process.stdin.destroy()
process.stdout.write('released\n')

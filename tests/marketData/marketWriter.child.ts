import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { type BarRow, openMarketStore } from '../../src/adapters/marketStore/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../src/adapters/synthetic/index.js'
import { addIstDays, istDateOf } from '../../src/domain/time/index.js'

// The market-data node's side of the sole-writer test: holds the DuckDB store, writes one day of bars at a time,
// and after each day seals the finished days into Parquet. Each time it also corrects one bar of the first day (its
// volume), as a re-import would, so that day is sealed again (its file replaced) while the readers read it.
// Prints `sealed <n>`.

const [storePath, sealedDir, daysArg, goFile] = process.argv.slice(2)
const calendar = loadCalendar()
if (E.isLeft(calendar) || storePath === undefined || sealedDir === undefined) throw new Error('usage')
const store = await openMarketStore(storePath, pino({ level: 'silent' }))
if (E.isLeft(store)) throw new Error(JSON.stringify(store.left))
process.stdout.write('holding\n')
// Start writing once the readers are up (the parent creates `goFile`), so they watch the days arrive.
while (goFile !== undefined && !existsSync(goFile)) await new Promise((r) => setTimeout(r, 20))
let n = 0
let first: BarRow | undefined
for (const day of syntheticBars({
  calendar: calendar.right,
  instruments: DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2),
  from: '2025-01-01',
  days: Number(daysArg),
  seed: 3,
})) {
  const bars = day.map((b) => ({ ...b.payload, oi: 0, flags: 0 }))
  const w = await store.right.write({ bars })
  if (E.isLeft(w)) throw new Error(JSON.stringify(w.left))
  const date = istDateOf(day[0]!.payload.openMs)
  if (n === 0) first = bars[0]
  else if (first !== undefined) {
    const d = await store.right.deleteBars(first.instrumentKey, first.timeframe, first.openMs, first.openMs + 1)
    if (E.isLeft(d) || d.right !== 1) throw new Error(`correcting the first day: ${JSON.stringify(d)}`)
    const c = await store.right.write({ bars: [{ ...first, volume: first.volume + n }] })
    if (E.isLeft(c)) throw new Error(JSON.stringify(c.left))
  }
  const sealed = await store.right.sealParquet(sealedDir, addIstDays(date, 1)!)
  if (E.isLeft(sealed)) throw new Error(JSON.stringify(sealed.left))
  process.stdout.write(`sealed ${++n}\n`)
  await new Promise((r) => setTimeout(r, 150))
}
process.stdout.write('done\n')
// Hold the store a little longer, so readers try the DuckDB file while it is held.
await new Promise((r) => setTimeout(r, 1500))
store.right.close()

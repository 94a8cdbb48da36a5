import * as readline from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { openMarketStore } from '../../src/adapters/marketStore/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../src/adapters/synthetic/index.js'

// A writer that holds the DuckDB store while the parent runs readers beside it (an import, or the market-data node,
// stood still): writes `<days>` days of synthetic 1-minute bars of RELIANCE and TCS from 2025-01-01, prints
// `holding <bars>`, then obeys stdin lines: `seal <date>` seals the days before the date into `<sealedDir>` and
// prints `sealed <bars>`; `release` closes the store and exits (printing `released`).

const [storePath, sealedDir, daysArg] = process.argv.slice(2)
const calendar = loadCalendar()
if (E.isLeft(calendar) || storePath === undefined || sealedDir === undefined) throw new Error('usage')
const store = await openMarketStore(storePath, pino({ level: 'silent' }))
if (E.isLeft(store)) throw new Error(JSON.stringify(store.left))
let written = 0
for (const day of syntheticBars({
  calendar: calendar.right,
  instruments: DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2),
  from: '2025-01-01',
  days: Number(daysArg),
  seed: 5,
})) {
  const w = await store.right.write({ bars: day.map((b) => ({ ...b.payload, oi: 0, flags: 0 })) })
  if (E.isLeft(w)) throw new Error(JSON.stringify(w.left))
  written += day.length
}
process.stdout.write(`holding ${written}\n`)
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ')
  if (command === 'seal' && arg !== undefined) {
    const sealed = await store.right.sealParquet(sealedDir, arg)
    if (E.isLeft(sealed)) throw new Error(JSON.stringify(sealed.left))
    process.stdout.write(`sealed ${sealed.right.bars}\n`)
  } else if (command === 'release') break
  else throw new Error(`unknown command ${line}`)
}
store.right.close()
// The parent keeps its end of stdin open: let go of it, or this process never exits.
process.stdin.destroy()
process.stdout.write('released\n')

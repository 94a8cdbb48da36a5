import * as E from 'fp-ts/lib/Either.js'
import { openJournalReader } from '../src/journal/index.js'
import { createTradingState, evolveTradingState } from '../src/projections/index.js'

// Run as its own process so the figure is the replay's peak memory alone: folds a journal with every projection
// and prints {events, seconds, eventsPerSecond, maxRssMB} as JSON.

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: replayMemory <journal dir>')
const reader = openJournalReader(dir)
if (E.isLeft(reader)) throw new Error(JSON.stringify(reader.left))
const state = createTradingState()
const t0 = performance.now()
const r = await reader.right.scan({}, (e) => {
  evolveTradingState(state, e)
})
const seconds = (performance.now() - t0) / 1000
if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
process.stdout.write(
  `${JSON.stringify({
    events: r.right.count,
    seconds,
    eventsPerSecond: Math.round(r.right.count / seconds),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    lastSeq: state.lastSeq,
  })}\n`,
)

import { DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { describeMarketStoreError, openMarketReader, openMarketStore } from '../../src/adapters/marketStore/index.js'

// A reader process of the sole-writer test (runner, scanner, web): queries the sealed Parquet over and over while
// the writer writes and re-seals. Every day it sees must be whole (375 bars per instrument, never part of a day or
// twice). It also checks that opening the DuckDB file itself is refused while the writer holds it.
// Prints `seen <days>` whenever the number of days it sees changes, `bad ...` on any violation, `locked-out` once.

const [storePath, sealedDir, finalArg] = process.argv.slice(2)
if (storePath === undefined || sealedDir === undefined) throw new Error('usage')
const finalDays = Number(finalArg)
const deadline = Date.now() + 60_000

try {
  const direct = await DuckDBInstance.create(storePath, { access_mode: 'READ_ONLY' })
  direct.closeSync()
  process.stdout.write('bad: opened the store file while the writer holds it\n')
} catch (e) {
  process.stdout.write(/lock/i.test(String(e)) ? 'locked-out\n' : `bad: unexpected error ${String(e)}\n`)
}
// The store's own read-only open is refused the same way, and says why in words a user can act on.
{
  const viaStore = await openMarketStore(storePath, pino({ level: 'silent' }), { readOnly: true })
  if (E.isRight(viaStore)) {
    viaStore.right.close()
    process.stdout.write('bad: the store opened read-only while the writer holds it\n')
  } else if (!describeMarketStoreError(viaStore.left).includes('another process holds it for writing')) {
    process.stdout.write(`bad: unclear refusal ${describeMarketStoreError(viaStore.left)}\n`)
  }
}

let last = -1
while (Date.now() < deadline) {
  const reader = await openMarketReader(sealedDir)
  if (E.isLeft(reader)) {
    // Nothing sealed yet is the only refusal expected: the writer has not sealed its first day.
    if (reader.left._tag !== 'NothingSealed') process.stdout.write(`bad: ${describeMarketStoreError(reader.left)}\n`)
    await new Promise((r) => setTimeout(r, 20))
    continue
  }
  const days = await reader.right.barsPerDay()
  reader.right.close()
  if (E.isLeft(days)) {
    // A query reading a corrected day just as its file is replaced may fail (sealParquet.ts): a retry sees the new one.
    await new Promise((r) => setTimeout(r, 5))
    continue
  }
  for (const d of days.right)
    if (d.bars !== 375) process.stdout.write(`bad: ${d.instrumentKey} ${d.date} has ${d.bars} bars\n`)
  const dates = new Set(days.right.map((d) => d.date)).size
  if (dates !== last) {
    process.stdout.write(`seen ${dates}\n`)
    last = dates
  }
  if (dates >= finalDays) break
}
process.stdout.write('finished\n')

import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMarketReader } from './marketReader.js'
import { type MarketStore, openMarketStore } from './openMarketStore.js'
import { SEAL_MANIFEST } from './sealParquet.js'

// Sealing is incremental (sealParquet.ts): a partition already sealed with the same rows is left as it is (the same
// file, untouched), a changed one is replaced by one rename of its single file, and a new one appears whole. Three
// days of two instruments, written to a store of their own.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

const DAYS = ['2025-01-02', '2025-01-03', '2025-01-06']
const KEYS = ['NSE_EQ|INE002A01018', 'NSE_EQ|INE009A01021']
const at = (date: string, minute: number) => Date.parse(`${date}T09:15:00+05:30`) + minute * 60_000
const bar = (instrumentKey: string, openMs: number, closePaise: number) => ({
  instrumentKey,
  timeframe: '1m' as const,
  openMs,
  openPaise: closePaise,
  highPaise: closePaise + 100,
  lowPaise: closePaise - 100,
  closePaise,
  volume: 10,
  oi: 0,
  flags: 0,
})

let dir: string
let store: MarketStore
let sealed: string
const file = (date: string) => join(sealed, 'exchange=NSE', 'timeframe=1m', `date=${date}`, 'data_0.parquet')
const inode = (date: string) => statSync(file(date)).ino

/** Rows per day in the sealed files, read by a DuckDB of its own (as another process would). */
const sealedRows = async (): Promise<Record<string, number>> => {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  try {
    const rows = (
      await conn.runAndReadAll(
        `SELECT date::VARCHAR, count(*) FROM read_parquet('${sealed}/**/*.parquet', hive_partitioning = true)
         GROUP BY 1 ORDER BY 1`,
      )
    ).getRows()
    return Object.fromEntries(rows.map(([d, n]) => [String(d), Number(n)]))
  } finally {
    conn.closeSync()
    db.closeSync()
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bahi-seal-'))
  sealed = join(dir, 'sealed')
  store = right(await openMarketStore(join(dir, 'm.duckdb'), log))
  right(
    await store.write({
      bars: DAYS.flatMap((d) => KEYS.flatMap((k) => [0, 1, 2].map((m) => bar(k, at(d, m), 100_000 + m)))),
    }),
  )
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('sealing finished days, incrementally', () => {
  it('seals the days before the date, one file each, and records them in the manifest', async () => {
    expect(right(await store.sealParquet(sealed, '2025-01-06'))).toEqual({
      rows: 12,
      partitions: 2,
      unchanged: 0,
      removed: 0,
    })
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-03': 6 })
    expect(readdirSync(join(sealed, 'exchange=NSE', 'timeframe=1m', 'date=2025-01-02'))).toEqual(['data_0.parquet'])
    expect(existsSync(join(sealed, SEAL_MANIFEST))).toBe(true)
    // The next day, only the day that finished is written.
    const before = inode('2025-01-02')
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 6,
      partitions: 1,
      unchanged: 2,
      removed: 0,
    })
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-03': 6, '2025-01-06': 6 })
    expect(inode('2025-01-02')).toBe(before)
  })

  it('sealing again with nothing changed writes nothing and touches no file', async () => {
    right(await store.sealParquet(sealed, '2025-01-07'))
    const files = DAYS.map((d) => [inode(d), statSync(file(d)).mtimeMs])
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 0,
      partitions: 0,
      unchanged: 3,
      removed: 0,
    })
    expect(DAYS.map((d) => [inode(d), statSync(file(d)).mtimeMs])).toEqual(files)
  })

  it('a day whose rows changed is written again, its file replaced by a rename; the others stay', async () => {
    right(await store.sealParquet(sealed, '2025-01-07'))
    const [first, second, third] = DAYS.map(inode)
    // One instrument's last minute of the second day deleted, one of its closes re-imported differently.
    expect(right(await store.deleteBars(KEYS[0]!, '1m', at(DAYS[1]!, 1), at(DAYS[1]!, 3)))).toBe(2)
    right(await store.write({ bars: [bar(KEYS[0]!, at(DAYS[1]!, 1), 99_000)] }))
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 5,
      partitions: 1,
      unchanged: 2,
      removed: 0,
    })
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-03': 5, '2025-01-06': 6 })
    expect([inode(DAYS[0]!), inode(DAYS[2]!)]).toEqual([first, third])
    expect(inode(DAYS[1]!)).not.toBe(second)
    // A change that keeps the count is seen too: the checksum covers every column.
    right(await store.deleteBars(KEYS[1]!, '1m', at(DAYS[1]!, 0), at(DAYS[1]!, 1)))
    right(await store.write({ bars: [bar(KEYS[1]!, at(DAYS[1]!, 0), 123_400)] }))
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toMatchObject({
      partitions: 1,
      unchanged: 2,
      removed: 0,
    })
  })

  it('a day whose rows are all gone from the store is removed from the sealed days too; others stay', async () => {
    right(await store.sealParquet(sealed, '2025-01-07'))
    const [first, , third] = DAYS.map(inode)
    for (const k of KEYS) right(await store.deleteBars(k, '1m', at(DAYS[1]!, 0), at(DAYS[1]!, 3)))
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 0,
      partitions: 0,
      unchanged: 2,
      removed: 1,
    })
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-06': 6 })
    expect(existsSync(join(sealed, 'exchange=NSE', 'timeframe=1m', `date=${DAYS[1]}`))).toBe(false)
    expect([inode(DAYS[0]!), inode(DAYS[2]!)]).toEqual([first, third])
    // Recorded: sealing again removes nothing more.
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toMatchObject({ unchanged: 2, removed: 0 })
  })

  it('a partition in another shape, removed, or missing from the manifest is written again', async () => {
    right(await store.sealParquet(sealed, '2025-01-07'))
    // A stray file (an older layout split a day over several files): the day is replaced whole, the stray gone.
    copyFileSync(file(DAYS[0]!), join(sealed, 'exchange=NSE', 'timeframe=1m', `date=${DAYS[0]}`, 'data_1.parquet'))
    // A day removed by hand.
    rmSync(join(sealed, 'exchange=NSE', 'timeframe=1m', `date=${DAYS[2]}`), { recursive: true })
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 12,
      partitions: 2,
      unchanged: 1,
      removed: 0,
    })
    expect(readdirSync(join(sealed, 'exchange=NSE', 'timeframe=1m', `date=${DAYS[0]}`))).toEqual(['data_0.parquet'])
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-03': 6, '2025-01-06': 6 })
    // Without the manifest nothing is known: every day is written again, each by a rename over its file.
    rmSync(join(sealed, SEAL_MANIFEST))
    expect(right(await store.sealParquet(sealed, '2025-01-07'))).toEqual({
      rows: 18,
      partitions: 3,
      unchanged: 0,
      removed: 0,
    })
    expect(await sealedRows()).toEqual({ '2025-01-02': 6, '2025-01-03': 6, '2025-01-06': 6 })
    expect(readdirSync(dir).filter((f) => f.includes('staging'))).toEqual([])
  })
})

describe('sealing finished days of ticks', () => {
  const tick = (instrumentKey: string, lttMs: number, seq: number, ltpPaise: number) => ({
    instrumentKey,
    lttMs,
    seq,
    ltpPaise,
    ltq: 75,
    volume: 1000 + seq,
    oi: null,
  })

  it('seals them apart from the bars, by exchange and date, and incrementally too', async () => {
    const ticksDir = join(dir, 'sealed-ticks')
    const fut = 'NSE_FO|49543'
    right(
      await store.write({
        ticks: DAYS.flatMap((d) => [0, 1, 2].map((s) => tick(fut, at(d, 0) + 250, s, 2_500_000 + s))),
      }),
    )
    expect(right(await store.sealTicksParquet(ticksDir, '2025-01-06'))).toEqual({
      rows: 6,
      partitions: 2,
      unchanged: 0,
      removed: 0,
    })
    expect(readdirSync(join(ticksDir, 'exchange=NSE'))).toEqual(['date=2025-01-02', 'date=2025-01-03'])
    expect(right(await store.sealTicksParquet(ticksDir, '2025-01-07'))).toEqual({
      rows: 3,
      partitions: 1,
      unchanged: 2,
      removed: 0,
    })
    // The bars' directory has none of them, and the ticks come back whole, in their order, NULL open interest kept.
    expect(existsSync(sealed)).toBe(false)
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      const rows = (
        await conn.runAndReadAll(
          `SELECT date::VARCHAR, instrument_key, seq, ltp_paise, volume, oi
           FROM read_parquet('${ticksDir}/**/*.parquet', hive_partitioning = true) ORDER BY ltt_ms, seq`,
        )
      ).getRows()
      expect(rows.map(([d, k, s, p, v, oi]) => [String(d), k, Number(s), Number(p), Number(v), oi])).toEqual(
        DAYS.flatMap((d) => [0, 1, 2].map((s) => [d, fut, s, 2_500_000 + s, 1000 + s, null])),
      )
    } finally {
      conn.closeSync()
      db.closeSync()
    }
  })
})

describe('sealing the instrument master', () => {
  const instrument = (instrumentKey: string, segment: string, tradingSymbol: string) => ({
    instrumentKey,
    exchange: 'NSE',
    segment,
    tradingSymbol,
    name: 'HAND-WRITTEN FIXTURE',
    isin: null,
    lotSize: 1,
    tickSizePaise: 5,
    instrumentType: segment === 'NSE_FO' ? 'FUT' : 'EQ',
    expiryMs: null,
    strikePaise: null,
  })

  it('writes one file when the table changed, and a reader names instruments by its trading symbols', async () => {
    const dirOf = join(dir, 'sealed-instruments')
    expect(right(await store.sealInstrumentsParquet(dirOf))).toEqual({
      rows: 0,
      partitions: 0,
      unchanged: 0,
      removed: 0,
    })
    expect(existsSync(join(dirOf, 'instruments.parquet'))).toBe(false)
    right(
      await store.write({
        instruments: [
          instrument('NSE_FO|FIXTURE-A-FUT', 'NSE_FO', 'AAA'),
          instrument('NSE_EQ|FIXTURE-A', 'NSE_EQ', 'AAA'),
          instrument('NSE_FO|FIXTURE-A-25FEB', 'NSE_FO', 'AAA25FEBFUT'),
        ],
      }),
    )
    expect(right(await store.sealInstrumentsParquet(dirOf))).toEqual({
      rows: 3,
      partitions: 1,
      unchanged: 0,
      removed: 0,
    })
    const file = join(dirOf, 'instruments.parquet')
    const first = statSync(file).ino
    expect(right(await store.sealInstrumentsParquet(dirOf))).toEqual({
      rows: 0,
      partitions: 0,
      unchanged: 1,
      removed: 0,
    })
    expect(statSync(file).ino).toBe(first)
    right(await store.write({ instruments: [instrument('NSE_EQ|FIXTURE-B', 'NSE_EQ', 'BBB')] }))
    expect(right(await store.sealInstrumentsParquet(dirOf))).toEqual({
      rows: 4,
      partitions: 1,
      unchanged: 0,
      removed: 0,
    })
    const reader = right(await openMarketReader(undefined, { instrumentsDir: dirOf }))
    try {
      expect(right(await reader.tradingSymbols())).toEqual(right(await store.tradingSymbols()))
      expect(right(await reader.tradingSymbols())).toEqual(
        new Map([
          ['AAA', 'NSE_EQ|FIXTURE-A'],
          ['BBB', 'NSE_EQ|FIXTURE-B'],
          ['AAA25FEBFUT', 'NSE_FO|FIXTURE-A-25FEB'],
        ]),
      )
      expect(right(await reader.coverage())).toEqual([])
    } finally {
      reader.close()
    }
  })
})

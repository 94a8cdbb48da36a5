import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCalendar } from '../calendar/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../synthetic/index.js'
import {
  type BarBatch,
  type BarQuery,
  type MarketBarSource,
  type MarketStore,
  openMarketReader,
  openMarketStore,
} from './index.js'

// The reader of the sealed Parquet days as a `MarketBarSource`: the same bar batches and coverage as the store gives
// for the days it sealed (what a backtest beside a writer reads), the same ticks and tick coverage for the sealed
// ticks, and "nothing sealed" told apart from other failures.

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

const KEYS = DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2).map((i) => i.instrumentKey)
let dir: string
let store: MarketStore

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bahi-reader-'))
  store = right(await openMarketStore(join(dir, 'market.duckdb'), pino({ level: 'silent' })))
  // Three trading days (2025-01-01 .. 2025-01-03); the first two are sealed.
  for (const day of syntheticBars({
    calendar: right(loadCalendar()),
    instruments: DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2),
    from: '2025-01-01',
    days: 3,
    seed: 9,
  }))
    right(
      await store.write({
        bars: day.map((b) => ({ ...b.payload, oi: 0, flags: 0 })),
        // Two ticks a bar (its open and close), two at the same millisecond for the second instrument, one with open
        // interest: the order (time, instrument, seq) and the optional fields must survive sealing.
        ticks: day.flatMap((b, i) => [
          {
            instrumentKey: b.payload.instrumentKey,
            lttMs: b.payload.openMs + 1_000,
            seq: 0,
            ltpPaise: b.payload.openPaise,
            ltq: 5,
            volume: 10 * i,
            oi: i % 7 === 0 ? 100 : null,
          },
          {
            instrumentKey: b.payload.instrumentKey,
            lttMs: b.payload.openMs + 1_000,
            seq: 1,
            ltpPaise: b.payload.closePaise,
            ltq: 3,
            volume: null,
            oi: null,
          },
        ]),
      }),
    )
  right(await store.sealParquet(join(dir, 'sealed'), '2025-01-03'))
  right(await store.sealTicksParquet(join(dir, 'sealed-ticks'), '2025-01-03'))
})

afterAll(() => {
  store?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every batch's columns, as plain arrays. */
const batches = async (source: MarketBarSource, q: BarQuery) => {
  const out: Record<string, unknown>[] = []
  for await (const b of right(await source.streamBarBatches(q)))
    out.push(
      Object.fromEntries(
        Object.entries(b as BarBatch).map(([k, v]) => [k, ArrayBuffer.isView(v) ? [...(v as Float64Array)] : v]),
      ),
    )
  return out
}

describe('openMarketReader', () => {
  it('gives the bar batches the store gives for the sealed days, 1-minute and resampled', async () => {
    const reader = right(await openMarketReader(join(dir, 'sealed')))
    try {
      const sealedDays = {
        fromMs: Date.parse('2025-01-01T09:00:00+05:30'),
        toMs: Date.parse('2025-01-03T00:00:00+05:30'),
      }
      for (const q of [
        { instrumentKeys: KEYS, timeframe: '1m', ...sealedDays },
        { instrumentKeys: KEYS, timeframe: '15m', ...sealedDays },
      ] as const) {
        const fromStore = await batches(store, q)
        expect(fromStore.reduce((n, b) => n + (b.length as number), 0)).toBe(
          q.timeframe === '1m' ? 2 * 2 * 375 : 2 * 2 * 25,
        )
        expect(await batches(reader, q)).toEqual(fromStore)
      }
      // Past the last sealed day the reader has nothing: the third day is only in the store.
      const after = { instrumentKeys: KEYS, timeframe: '1m', fromMs: sealedDays.toMs } as const
      expect(await batches(reader, after)).toEqual([])
      expect((await batches(store, after)).length).toBeGreaterThan(0)
    } finally {
      reader.close()
    }
  })

  it("gives the sealed days' coverage, as the store gives its own", async () => {
    const reader = right(await openMarketReader(join(dir, 'sealed')))
    const rows = right(await reader.coverage())
    reader.close()
    expect(rows).toEqual(
      [...KEYS].sort().map((instrumentKey) => ({
        instrumentKey,
        timeframe: '1m',
        fromDate: '2025-01-01',
        toDate: '2025-01-02',
        bars: 750,
        days: 2,
        flaggedBars: 0,
      })),
    )
    expect(right(await store.coverage()).map((r) => r.toDate)).toEqual(['2025-01-03', '2025-01-03'])
  })

  it('gives the coverage of the instruments asked about only, as the store does', async () => {
    const reader = right(await openMarketReader(join(dir, 'sealed'), { ticksDir: join(dir, 'sealed-ticks') }))
    try {
      for (const source of [reader, store]) {
        expect(right(await source.coverage({ instrumentKeys: [KEYS[1]!] })).map((r) => r.instrumentKey)).toEqual([
          KEYS[1],
        ])
        expect(
          right(await source.tickCoverage({ instrumentKeys: [KEYS[0]!, 'NSE_EQ|NOT-STORED'] })).map(
            (r) => r.instrumentKey,
          ),
        ).toEqual([KEYS[0]])
        expect(right(await source.coverage({ instrumentKeys: [] }))).toEqual([])
      }
    } finally {
      reader.close()
    }
  })

  it('gives the ticks and tick coverage the store gives for the sealed days; none without a ticks directory', async () => {
    const reader = right(await openMarketReader(join(dir, 'sealed'), { ticksDir: join(dir, 'sealed-ticks') }))
    const ticksOf = async (source: { streamTicks: MarketStore['streamTicks'] }, toMs?: number) => {
      const out: unknown[] = []
      const q = { instrumentKeys: [], ...(toMs === undefined ? {} : { toMs }) }
      for await (const chunk of right(await source.streamTicks(q))) out.push(...chunk)
      return out
    }
    try {
      const sealedTo = Date.parse('2025-01-03T00:00:00+05:30')
      const fromStore = await ticksOf(store, sealedTo)
      expect(fromStore).toHaveLength(2 * 2 * 2 * 375)
      expect(await ticksOf(reader)).toEqual(fromStore)
      expect(right(await reader.tickCoverage())).toEqual(
        right(await store.tickCoverage()).map((r) => ({ ...r, toDate: '2025-01-02', ticks: 1500, days: 2 })),
      )
    } finally {
      reader.close()
    }
    const barsOnly = right(await openMarketReader(join(dir, 'sealed')))
    expect(await ticksOf(barsOnly)).toEqual([])
    barsOnly.close()
    // Ticks alone: a reader with no sealed bars has none, and still reads the ticks.
    const ticksOnly = right(await openMarketReader(join(dir, 'nowhere'), { ticksDir: join(dir, 'sealed-ticks') }))
    expect(right(await ticksOnly.coverage())).toEqual([])
    expect(await ticksOf(ticksOnly)).toHaveLength(2 * 2 * 2 * 375)
    ticksOnly.close()
  })

  it('says nothing is sealed, as its own failure, for a missing directory and for one with no day in it', async () => {
    expect(await openMarketReader(join(dir, 'nowhere'))).toEqual(
      E.left({ _tag: 'NothingSealed', path: join(dir, 'nowhere'), reason: 'no sealed Parquet directory there yet' }),
    )
    const empty = join(dir, 'empty', 'exchange=NSE')
    mkdirSync(empty, { recursive: true })
    expect(await openMarketReader(join(dir, 'empty'))).toEqual(
      E.left({ _tag: 'NothingSealed', path: join(dir, 'empty'), reason: 'no day sealed there yet' }),
    )
  })
})

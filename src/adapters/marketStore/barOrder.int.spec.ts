import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Timeframe } from '../../domain/events/index.js'
import { type MarketStore, openMarketStore } from './index.js'
import type { BarRow } from './marketRows.js'

// The store keeps each timeframe's bars in stream order (barOrder.ts), and its streams scan instead of sorting
// wherever it does. Checked here against a model (every write's new keys, merged by time then instrument), and
// against the file itself, opened with DuckDB directly once the store is closed: the rows' physical order (rowid)
// and the `bars_order` marks.

const log = pino({ level: 'silent' })
const KEYS = ['NSE_EQ|INE002A01018', 'NSE_EQ|INE009A01021', 'NSE_EQ|INE467B01029']
const T0 = Date.parse('2025-01-02T09:15:00+05:30')
const MINUTE = 60_000

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

const bar = (instrumentKey: string, timeframe: Timeframe, openMs: number, closePaise: number): BarRow => ({
  instrumentKey,
  timeframe,
  openMs,
  openPaise: 100_000,
  highPaise: 101_000,
  lowPaise: 99_000,
  closePaise,
  volume: 10,
  oi: 0,
  flags: 0,
})

/** What a stream gives: [openMs, key, close] in the order read. */
const streamed = async (s: MarketStore, timeframe: Timeframe, instrumentKeys: string[] = []) => {
  const out: [number, string, number][] = []
  for await (const b of right(await s.streamBarBatches({ instrumentKeys, timeframe, source: 'stored' })))
    for (let i = 0; i < b.length; i++)
      out.push([b.openMs[i] as number, b.keys[b.keyIndex[i] as number] as string, b.closePaise[i] as number])
  return out
}

const byStreamOrder = (a: [number, string, number], b: [number, string, number]) =>
  a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)

/** The file as DuckDB holds it: each timeframe's rows in physical order, and the out-of-order marks. */
const onDisk = async (path: string) => {
  const instance = await DuckDBInstance.create(path)
  const conn = await instance.connect()
  try {
    const rows = (await conn.runAndReadAll('SELECT timeframe, open_ms, instrument_key FROM bars ORDER BY rowid'))
      .getRows()
      .map(([tf, ms, k]) => [String(tf), Number(ms), String(k)] as const)
    const marks = (await conn.runAndReadAll('SELECT timeframe FROM bars_order ORDER BY 1'))
      .getRows()
      .map((r) => String(r[0]))
    const physical = (tf: string) => rows.filter((r) => r[0] === tf).map((r) => [r[1], r[2]] as const)
    return { physical, marks }
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

const inStreamOrder = (rows: readonly (readonly [number, string])[]) =>
  rows.every((r, i) => i === 0 || byStreamOrder([...(rows[i - 1] as [number, string]), 0], [...r, 0]) < 0)

const withStore = async (f: (path: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'bahi-order-'))
  try {
    await f(join(dir, 'm.duckdb'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('bars kept in stream order', () => {
  it('any sequence of writes and orderings: streams equal the model, and once ordered, so does the file', async () => {
    // A write: bars of random instruments, timeframes and minutes (each key once in a batch), then maybe orderBars,
    // made to rewrite the tails only (share 1) or to rebuild the table (share 0).
    const write = fc.record({
      bars: fc.uniqueArray(
        fc.record({
          k: fc.integer({ min: 0, max: KEYS.length - 1 }),
          tf: fc.constantFrom<Timeframe>('1m', '1d'),
          minute: fc.integer({ min: 0, max: 60 }),
        }),
        { minLength: 1, maxLength: 25, selector: (b) => `${b.k}/${b.tf}/${b.minute}` },
      ),
      order: fc.constantFrom('no', 'tail', 'table'),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 6 }), async (writes) => {
        await withStore(async (path) => {
          const s = right(await openMarketStore(path, log))
          const model = new Map<string, [number, string, number]>()
          const modelOf = (tf: Timeframe) =>
            [...model.entries()]
              .filter(([id]) => id.startsWith(`${tf}/`))
              .map(([, r]) => r)
              .sort(byStreamOrder)
          try {
            for (const [w, { bars, order }] of writes.entries()) {
              const rows = bars.map((b) => bar(KEYS[b.k] as string, b.tf, T0 + b.minute * MINUTE, w * 100 + b.minute))
              right(await s.write({ bars: rows }))
              for (const r of rows) {
                const id = `${r.timeframe}/${r.instrumentKey}/${r.openMs}`
                if (!model.has(id)) model.set(id, [r.openMs, r.instrumentKey, r.closePaise])
              }
              if (order !== 'no') {
                const done = right(await s.orderBars({ rebuildShare: order === 'tail' ? 1 : 0 }))
                expect(['none', order]).toContain(done.how)
              }
              for (const tf of ['1m', '1d'] as const) expect(await streamed(s, tf)).toEqual(modelOf(tf))
              // One instrument of the scan: the filter keeps the order too.
              const one = KEYS[1] as string
              expect(await streamed(s, '1m', [one])).toEqual(modelOf('1m').filter((r) => r[1] === one))
            }
            right(await s.orderBars())
          } finally {
            s.close()
          }
          const disk = await onDisk(path)
          expect(disk.marks).toEqual([])
          for (const tf of ['1m', '1d'] as const) {
            expect(disk.physical(tf)).toEqual(modelOf(tf).map(([ms, k]) => [ms, k]))
          }
        })
      }),
      { numRuns: 12 },
    )
  }, 120_000)

  it('a write that lands before the stored end marks its timeframe from its first bar; a later one marks nothing', async () => {
    await withStore(async (path) => {
      const s = right(await openMarketStore(path, log))
      try {
        const [a, b] = KEYS as [string, string]
        right(await s.write({ bars: [bar(a, '1m', T0 + 10 * MINUTE, 1), bar(a, '1m', T0 + 11 * MINUTE, 2)] }))
        // After everything stored: inserted in order, nothing marked.
        right(await s.write({ bars: [bar(b, '1m', T0 + 13 * MINUTE, 4), bar(a, '1m', T0 + 12 * MINUTE, 3)] }))
        // At the stored end's minute, with a key before the stored one's: that is already before it in stream order.
        right(await s.write({ bars: [bar(a, '1m', T0 + 13 * MINUTE, 5), bar(a, '1d', T0, 6)] }))
      } finally {
        s.close()
      }
      const disk = await onDisk(path)
      expect(disk.marks).toEqual(['1m'])
      expect(disk.physical('1m').at(-1)).toEqual([T0 + 13 * MINUTE, KEYS[0]])
      expect(inStreamOrder(disk.physical('1m'))).toBe(false)
      expect(inStreamOrder(disk.physical('1d'))).toBe(true)
      // The next writer to open the store puts it in order.
      right(await openMarketStore(path, log)).close()
      const after = await onDisk(path)
      expect(after.marks).toEqual([])
      expect(after.physical('1m')).toEqual([
        [T0 + 10 * MINUTE, KEYS[0]],
        [T0 + 11 * MINUTE, KEYS[0]],
        [T0 + 12 * MINUTE, KEYS[0]],
        [T0 + 13 * MINUTE, KEYS[0]],
        [T0 + 13 * MINUTE, KEYS[1]],
      ])
    })
  })

  it('a store that records no order (made before it was kept) is sorted by its readers and ordered by its next writer', async () => {
    await withStore(async (path) => {
      const s = right(await openMarketStore(path, log))
      const rows = [3, 1, 2, 0].map((m) => bar(KEYS[m % 2] as string, '1m', T0 + m * MINUTE, m))
      try {
        right(await s.write({ bars: rows }))
      } finally {
        s.close()
      }
      // What an older version left: no bars_order table, and rows in the order they came.
      {
        const instance = await DuckDBInstance.create(path)
        const conn = await instance.connect()
        await conn.run('DROP TABLE bars_order; DELETE FROM bars')
        for (const r of rows)
          await conn.run(
            `INSERT INTO bars VALUES ('${r.instrumentKey}', '1m', ${r.openMs}, 100000, 101000, 99000, ${r.closePaise}, 10, 0, 0)`,
          )
        conn.closeSync()
        instance.closeSync()
      }
      const expected = [...rows]
        .sort((x, y) => x.openMs - y.openMs)
        .map((r): [number, string, number] => [r.openMs, r.instrumentKey, r.closePaise])
      const reader = right(await openMarketStore(path, log, { readOnly: true }))
      try {
        expect(await streamed(reader, '1m')).toEqual(expected)
      } finally {
        reader.close()
      }
      right(await openMarketStore(path, log)).close()
      const disk = await onDisk(path)
      expect(disk.marks).toEqual([])
      expect(disk.physical('1m')).toEqual(expected.map(([ms, k]) => [ms, k]))
    })
  })

  it('a stream open while the bars are written out of order and reordered reads on from its own snapshot', async () => {
    for (const rebuildShare of [0, 1]) {
      await withStore(async (path) => {
        const s = right(await openMarketStore(path, log))
        try {
          // More than one DuckDB chunk (2,048 rows), so the stream is read across the write and the reorder.
          const early = Array.from({ length: 5000 }, (_, i) => bar(KEYS[0] as string, '1m', T0 + (i + 10) * MINUTE, i))
          right(await s.write({ bars: early }))
          const it = right(await s.streamBarBatches({ instrumentKeys: [], timeframe: '1m' }))[Symbol.asyncIterator]()
          const first = await it.next()
          let n = first.done ? 0 : first.value.length
          expect(n).toBeGreaterThan(0)
          expect(n).toBeLessThan(5000)
          right(await s.write({ bars: [bar(KEYS[1] as string, '1m', T0, -1)] }))
          expect(right(await s.orderBars({ rebuildShare })).how).toBe(rebuildShare === 0 ? 'table' : 'tail')
          let lastMs = Number.NEGATIVE_INFINITY
          for (let r = await it.next(); !r.done; r = await it.next()) {
            n += r.value.length
            lastMs = r.value.openMs[r.value.length - 1] as number
          }
          expect([n, lastMs]).toEqual([5000, T0 + 5009 * MINUTE])
          const after = await streamed(s, '1m')
          expect(after).toHaveLength(5001)
          expect(after[0]).toEqual([T0, KEYS[1], -1])
        } finally {
          s.close()
        }
      })
    }
  })

  it('a scan that meets a row out of order ends the stream with an error naming it, instead of handing it on', async () => {
    await withStore(async (path) => {
      const s = right(await openMarketStore(path, log))
      try {
        right(
          await s.write({ bars: [bar(KEYS[0] as string, '1m', T0, 1), bar(KEYS[0] as string, '1m', T0 + MINUTE, 2)] }),
        )
      } finally {
        s.close()
      }
      // Broken behind the store's back: a row appended before the stored ones, and no mark.
      {
        const instance = await DuckDBInstance.create(path)
        const conn = await instance.connect()
        await conn.run(
          `INSERT INTO bars VALUES ('${KEYS[1]}', '1m', ${T0 - MINUTE}, 100000, 101000, 99000, 3, 10, 0, 0)`,
        )
        conn.closeSync()
        instance.closeSync()
      }
      const reader = right(await openMarketStore(path, log, { readOnly: true }))
      try {
        await expect(streamed(reader, '1m')).rejects.toThrow(
          `stored bars out of time order: ${KEYS[1]} at 2025-01-02T03:44:00.000Z after ${KEYS[0]} at 2025-01-02T03:46:00.000Z`,
        )
      } finally {
        reader.close()
      }
    })
  })
})

import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, describe, expect, it } from 'vitest'
import { bahi, parseJsonOut, tempDirs } from './cliHarness.js'

// `bahi import` of files the test writes: a generic CSV read through `--mapping` (inline JSON or a file), and Upstox
// candles whose interval `--timeframe` gives or whose spacing rejects them.

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

const KEY = 'NSE_EQ|FIXTURE-MAPPED'

const storedBars = async (home: string): Promise<number[][]> => {
  const db = await DuckDBInstance.create(path.join(home, 'market', 'market.duckdb'), { access_mode: 'READ_ONLY' })
  const c = await db.connect()
  try {
    const r = await c.runAndReadAll(
      `SELECT instrument_key, timeframe, open_ms, open_paise, high_paise, low_paise, close_paise, volume, flags
       FROM bars ORDER BY open_ms`,
    )
    return r.getRows().map((row) => row.map((v) => (typeof v === 'string' ? v : Number(v)))) as number[][]
  } finally {
    c.closeSync()
    db.closeSync()
  }
}

describe('bahi import --mapping: a generic CSV with its own headers', () => {
  // Separate date and time columns, DD-MM-YYYY, end-labelled 5-minute bars, renamed price columns, an extra column.
  const csv = [
    'Date,Time,Open,High,Low,Close,Qty,Note',
    '02-01-2025,09:20,100.00,101.50,99.75,101.00,1200,first',
    '02-01-2025,09:25,101.00,101.20,100.40,100.55,800,"a, quoted note"',
  ].join('\n')
  const mapping = {
    date: 'Date',
    time: 'Time',
    open: 'Open',
    high: 'High',
    low: 'Low',
    close: 'Close',
    volume: 'Qty',
    dateFormat: 'DD-MM-YYYY',
    label: 'end',
    timeframe: '5m',
  }
  const expected = [
    [KEY, '5m', Date.parse('2025-01-02T09:15:00+05:30'), 10000, 10150, 9975, 10100, 1200, 0],
    [KEY, '5m', Date.parse('2025-01-02T09:20:00+05:30'), 10100, 10120, 10040, 10055, 800, 0],
  ]

  it('inline JSON: the bars are stored as mapped (start-labelled, paise), --format implied', async () => {
    const dir = dirs.make()
    const file = path.join(dir, 'mapped.csv')
    writeFileSync(file, csv)
    const home = path.join(dir, 'home')
    const r = await bahi([
      'import',
      file,
      '--mapping',
      JSON.stringify(mapping),
      '--instrument',
      KEY,
      '--json',
      '--home',
      home,
    ])
    expect(r.code).toBe(0)
    const s = parseJsonOut<{ rowsRead: number; imported: number; errors: unknown[] }>(r)
    expect([s.rowsRead, s.imported, s.errors]).toEqual([2, 2, []])
    expect(await storedBars(home)).toEqual(expected)
  })

  it('a mapping file, with --format generic-csv given', async () => {
    const dir = dirs.make()
    const file = path.join(dir, 'mapped.csv')
    const mappingFile = path.join(dir, 'mapping.json')
    writeFileSync(file, csv)
    writeFileSync(mappingFile, JSON.stringify(mapping))
    const home = path.join(dir, 'home')
    const r = await bahi([
      'import',
      file,
      '--format',
      'generic-csv',
      '--mapping',
      mappingFile,
      '--instrument',
      KEY,
      '--json',
      '--home',
      home,
    ])
    expect(r.code).toBe(0)
    expect(await storedBars(home)).toEqual(expected)
  })
})

describe('bahi import --timeframe: Upstox candles', () => {
  const candles = (...stamps: string[]) =>
    JSON.stringify({ status: 'success', data: { candles: stamps.map((t) => [t, 100, 101, 99, 100.5, 10, 0]) } })

  it('weekly candles are rejected with file, line and reason; a single candle is stored under --timeframe', async () => {
    const dir = dirs.make()
    const weekly = path.join(dir, 'weekly.json')
    writeFileSync(weekly, candles('2025-01-13T00:00:00+05:30', '2025-01-06T00:00:00+05:30'))
    const home = path.join(dir, 'home')
    const r = await bahi(['import', weekly, '--instrument', KEY, '--json', '--home', home])
    expect(r.code).toBe(1)
    expect(parseJsonOut<{ errors: unknown[] }>(r).errors).toEqual([
      {
        file: weekly,
        line: 1,
        reason:
          'candles are 7 days apart at least: weekly or monthly candles, not a stored timeframe (pass --timeframe 1d if they are daily)',
      },
    ])
    const one = path.join(dir, 'one.json')
    writeFileSync(one, candles('2025-01-02T09:15:00+05:30'))
    const stored = await bahi(['import', one, '--timeframe', '15m', '--instrument', KEY, '--json', '--home', home])
    expect(stored.code).toBe(0)
    expect((await storedBars(home)).map((b) => [b[1], b[2]])).toEqual([
      ['15m', Date.parse('2025-01-02T09:15:00+05:30')],
    ])
  })
})

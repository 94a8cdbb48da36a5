import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { loadSymbolTable, type ParseFileOptions, prepareFile } from '../../src/adapters/importers/index.js'

// How a file's bytes become the text a parser reads. A UTF-8 BOM is dropped before decoding for the formats that
// skip one anyway (so V8 keeps the text one-byte, the fast case), and kept for the JSON formats, where it made the
// file unreadable before and still must: the same file gives the same outcome with or without the shortcut.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const BOM = '\uFEFF'
const HEADER = 'date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry'
const ROWS = [
  '02-01-2025,09:15:00,1221.25,1225,1219.5,1224.05,203325,0,1,2885,01-01-0001 00:00:00',
  '02-01-2025,09:16:00,1224.05,1226.4,1223,1225.6,98765,0,1,2885,01-01-0001 00:00:00',
]
const CANDLES = JSON.stringify({
  status: 'success',
  data: { candles: [['2025-01-02T09:15:00+05:30', 1221.25, 1225, 1219.5, 1224.05, 203325, 0]] },
})

describe('file text', () => {
  let dir: string
  let opts: ParseFileOptions
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-filetext-'))
    opts = {
      policy: 'skip',
      symbolKeys: right(
        loadSymbolTable(join(import.meta.dirname, '..', '..', 'data', 'instruments', 'nse-symbols.csv')),
      ),
      calendar: right(loadCalendar()),
    }
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const write = (rel: string, text: string): string => {
    const p = join(dir, rel)
    mkdirSync(join(p, '..'), { recursive: true })
    writeFileSync(p, text)
    return p
  }

  it('reads an equity file with a BOM exactly as the same file without one', () => {
    const body = `${[HEADER, ...ROWS].join('\r\n')}\r\n`
    const withBom = prepareFile(write('bom/RELIANCE/02-01-2025.csv', `${BOM}${body}`), opts, log)
    const without = prepareFile(write('plain/RELIANCE/02-01-2025.csv', body), opts, log)
    expect(withBom.outcome.status).toBe('imported')
    expect(withBom.rows?.bars).toHaveLength(2)
    expect(withBom.rows?.bars[0]?.openPaise).toBe(122_125)
    expect(withBom.rows).toEqual(without.rows)
    expect({ ...withBom.outcome, file: '' }).toEqual({ ...without.outcome, file: '' })
  })

  it('still refuses an Upstox candles file that starts with a BOM, and reads it without one', () => {
    const withBom = prepareFile(
      write('bom.json', `${BOM}${CANDLES}`),
      { ...opts, instrumentKey: 'NSE_EQ|INE002A01018', timeframe: '1m' },
      log,
    )
    // One candle shows no interval of its own: `--timeframe` gives it.
    const without = prepareFile(
      write('plain.json', CANDLES),
      { ...opts, instrumentKey: 'NSE_EQ|INE002A01018', timeframe: '1m' },
      log,
    )
    expect(without.outcome.status).toBe('imported')
    expect(without.rows?.bars).toHaveLength(1)
    expect(withBom.outcome.status).toBe('rejected')
    expect(withBom.outcome.error?.reason).toMatch(/JSON/)
  })
})

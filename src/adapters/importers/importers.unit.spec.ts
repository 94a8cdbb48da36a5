import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { BAR_FLAGS } from '../marketStore/index.js'
import { applyPolicy } from './applyPolicy.js'
import { decodeColumnMapping } from './columnMappingJson.js'
import { countDataRows } from './dataRows.js'
import { parseEquity1minCsv } from './equity1minCsv.js'
import { parseGenericCsv } from './genericCsv.js'
import { parseIndex1minTxt } from './index1minTxt.js'
import { inspectBars } from './inspectBars.js'
import { detectFormat, parseMarketFile } from './parseMarketFile.js'
import { parseUpstoxCandlesJson } from './upstoxCandlesJson.js'
import { parseUpstoxInstrumentsJson } from './upstoxInstrumentsJson.js'

const RELIANCE = 'NSE_EQ|INE002A01018'
const symbolKeys = new Map([
  ['RELIANCE', RELIANCE],
  ['NIFTY', 'NSE_INDEX|Nifty 50'],
])
const HEADER = 'date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry'
const row = (time: string, o: string, h: string, l: string, c: string) =>
  `02-01-2025,${time},${o},${h},${l},${c},1000,0,1,2885,01-01-0001 00:00:00`
const equityFile = (...rows: string[]) => `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`
const ctx = { symbolKeys, symbolHint: 'RELIANCE' }

describe('equity 1-minute CSV', () => {
  it('reads BOM + CRLF, DD-MM-YYYY and IST into start-labelled bars in paise', () => {
    const r = parseEquity1minCsv(equityFile(row('09:15:00', '1221.25', '1226.2', '1221.25', '1223.05')), ctx)
    expect(E.isRight(r)).toBe(true)
    if (E.isLeft(r)) return
    expect(r.right.bars).toEqual([
      {
        line: 2,
        instrumentKey: RELIANCE,
        timeframe: '1m',
        openMs: Date.parse('2025-01-02T09:15:00+05:30'),
        openPaise: 122125,
        highPaise: 122620,
        lowPaise: 122125,
        closePaise: 122305,
        volume: 1000,
        oi: 0,
        flags: 0,
      },
    ])
  })
  it('rejects the whole file at the first unreadable line, naming line and reason', () => {
    const r = parseEquity1minCsv(
      equityFile(row('09:15:00', '1', '1', '1', '1'), row('09:16:00', '1', 'x1', '1', '1'), 'garbage'),
      ctx,
    )
    expect(r).toEqual(E.left({ _tag: 'FileUnparseable', line: 3, reason: 'high "x1" is not a number' }))
    expect(parseEquity1minCsv(equityFile('32-01-2025,09:15:00,1,1,1,1,1,0,1,2885,x'), ctx)).toEqual(
      E.left({ _tag: 'FileUnparseable', line: 2, reason: 'invalid date "32-01-2025" (expected DD-MM-YYYY)' }),
    )
  })
  it('needs an instrument key: from the symbol table or --instrument', () => {
    const r = parseEquity1minCsv(equityFile(), { symbolKeys, symbolHint: 'UNKNOWN' })
    expect(E.isLeft(r) && r.left.reason).toMatch(/no instrument key for symbol "UNKNOWN"/)
    const o = parseEquity1minCsv(equityFile(row('09:15:00', '1', '1', '1', '1')), {
      symbolKeys,
      symbolHint: 'UNKNOWN',
      instrumentKey: 'NSE_EQ|INE467B01029',
    })
    expect(E.isRight(o) && o.right.bars[0]?.instrumentKey).toBe('NSE_EQ|INE467B01029')
  })
})

describe('policies on rows that parse but look wrong', () => {
  // line 2 fine, 3 OHLC violation (high below close), 4 duplicate of line 2, 5 off tick, 6 after the close
  const text = equityFile(
    row('09:15:00', '100.00', '101.00', '99.00', '100.50'),
    row('09:16:00', '100.00', '100.20', '99.00', '100.50'),
    row('09:15:00', '100.00', '101.00', '99.00', '100.50'),
    row('09:17:00', '100.01', '101.00', '99.00', '100.50'),
    row('15:30:00', '100.00', '101.00', '99.00', '100.50'),
  )
  const opts = { symbolKeys }
  const parsed = () => {
    const r = parseEquity1minCsv(text, ctx)
    if (E.isLeft(r)) throw new Error('fixture must parse')
    return r.right.bars
  }
  it('finds each kind of issue, on its line', () => {
    const bars = parsed()
    const { issues } = inspectBars(bars, { tickPaise: () => 5, calendar: undefined })
    expect(issues.map((i) => [i.line, i.kind])).toEqual([
      [3, 'ohlcViolation'],
      [4, 'duplicateTimestamp'],
      [5, 'offTick'],
      [6, 'outsideSession'],
    ])
  })
  it('reject: the file is rejected, naming the first bad line', () => {
    const r = parseMarketFile('RELIANCE/02-01-2025.csv', text, { ...opts, policy: 'reject' })
    expect(E.isLeft(r) && r.left._tag).toBe('RejectedByPolicy')
    expect(E.isLeft(r) && r.left.line).toBe(3)
    expect(E.isLeft(r) && r.left.reason).toMatch(/^ohlcViolation: .*\(and 3 more\)$/)
    // Every issue travels with the rejection (the summary lists them all), and the file's 5 data rows.
    expect(E.isLeft(r) && r.left._tag === 'RejectedByPolicy' && r.left.issues.map((i) => [i.line, i.kind])).toEqual([
      [3, 'ohlcViolation'],
      [4, 'duplicateTimestamp'],
      [5, 'offTick'],
      [6, 'outsideSession'],
    ])
    expect(E.isLeft(r) && r.left.rowsRead).toBe(5)
  })
  it('skip: bad rows are left out and listed', () => {
    const r = parseMarketFile('RELIANCE/02-01-2025.csv', text, { ...opts, policy: 'skip' })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.bars.map((b) => (b as { line?: number }).line)).toEqual([2])
    expect(r.right.skipped.map((i) => i.line)).toEqual([3, 4, 5, 6])
    expect(r.right.flagged).toEqual([])
  })
  it('flag: bad rows are kept with their flag, except a later duplicate, which cannot be stored twice', () => {
    const r = parseMarketFile('RELIANCE/02-01-2025.csv', text, { ...opts, policy: 'flag' })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    // The kept row of the duplicate pair (line 2) carries the duplicate bit: the file disputes it.
    expect(r.right.bars.map((b) => [(b as { line?: number }).line, b.flags])).toEqual([
      [2, BAR_FLAGS.duplicateTimestamp],
      [3, BAR_FLAGS.ohlcViolation],
      [5, BAR_FLAGS.offTick],
      [6, BAR_FLAGS.outsideSession],
    ])
    expect(r.right.flagged.map((i) => [i.line, i.kind])).toEqual([
      [2, 'duplicateTimestamp'],
      [3, 'ohlcViolation'],
      [5, 'offTick'],
      [6, 'outsideSession'],
    ])
    expect(r.right.flagged[0]?.detail).toBe('kept; line 4 with the same bar start left out')
    expect(r.right.skipped.map((i) => [i.line, i.kind])).toEqual([[4, 'duplicateTimestamp']])
  })
  it('skip: the first row of a duplicate pair is kept as it is (no flags are stored under skip)', () => {
    const r = parseMarketFile('RELIANCE/02-01-2025.csv', text, { ...opts, policy: 'skip' })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.bars.map((b) => [(b as { line?: number }).line, b.flags])).toEqual([[2, 0]])
  })
  it('clean rows pass every policy untouched', () => {
    const bars = parsed().slice(0, 1)
    const ins = inspectBars(bars, { tickPaise: () => 5, calendar: undefined })
    expect(applyPolicy(bars, ins, 'reject')).toEqual(E.right({ bars, skipped: [], flagged: [] }))
  })
})

describe('other formats', () => {
  it('index 1-minute: end-labelled bars become start-labelled; pre-open and post-close rows are outside the session', () => {
    const text = [
      'NIFTY,20221101,09:08,18130.70,18130.70,18130.70,18130.70,0,0',
      'NIFTY,20221101,09:16,18130.70,18175.80,18130.70,18164.55,0,0',
      'NIFTY,20221101,15:31,18145.40,18145.40,18145.40,18145.40,0,0',
    ].join('\n')
    const r = parseIndex1minTxt(text, { symbolKeys })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.bars.map((b) => b.openMs)).toEqual([
      Date.parse('2022-11-01T09:07:00+05:30'),
      Date.parse('2022-11-01T09:15:00+05:30'),
      Date.parse('2022-11-01T15:30:00+05:30'),
    ])
    expect(
      inspectBars(r.right.bars, { tickPaise: () => undefined, calendar: undefined }).issues.map((i) => [
        i.line,
        i.kind,
      ]),
    ).toEqual([
      [1, 'outsideSession'],
      [3, 'outsideSession'],
    ])
  })
  it('Upstox candles: newest first in, oldest first out; daily candles become 1d bars at 09:15 IST', () => {
    const intraday = JSON.stringify({
      status: 'success',
      data: {
        candles: [
          ['2025-01-02T09:16:00+05:30', 1223.05, 1224, 1222, 1223.5, 1500, 0],
          ['2025-01-02T09:15:00+05:30', 1221.25, 1226.2, 1221.25, 1223.05, 203325, 0],
        ],
      },
    })
    const r = parseUpstoxCandlesJson(intraday, { symbolKeys, instrumentKey: RELIANCE })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.bars.map((b) => [b.timeframe, b.openMs, b.openPaise, b.line])).toEqual([
      ['1m', Date.parse('2025-01-02T09:15:00+05:30'), 122125, 2],
      ['1m', Date.parse('2025-01-02T09:16:00+05:30'), 122305, 1],
    ])
    const daily = JSON.stringify({
      status: 'success',
      data: {
        candles: [
          ['2025-01-03T00:00:00+05:30', 1223.05, 1230, 1220, 1225.5, 4000000, 0],
          ['2025-01-02T00:00:00+05:30', 1221.25, 1226.2, 1215, 1223.05, 5000000, 0],
        ],
      },
    })
    const d = parseUpstoxCandlesJson(daily, { symbolKeys, instrumentKey: RELIANCE })
    expect(E.isRight(d) && [d.right.bars[0]?.timeframe, d.right.bars[0]?.openMs]).toEqual([
      '1d',
      Date.parse('2025-01-02T09:15:00+05:30'),
    ])
    expect(parseUpstoxCandlesJson(intraday, { symbolKeys })).toEqual(
      E.left({ _tag: 'FileUnparseable', line: 1, reason: 'no instrument key: pass --instrument KEY' }),
    )
    expect(E.isLeft(parseUpstoxCandlesJson('{"status":"error"}', { symbolKeys, instrumentKey: RELIANCE }))).toBe(true)
  })
  it('Upstox instrument master: the fields of each instrument, tick size in paise', () => {
    const text = JSON.stringify([
      {
        segment: 'NSE_EQ',
        name: 'RELIANCE INDUSTRIES LTD',
        exchange: 'NSE',
        isin: 'INE002A01018',
        instrument_type: 'EQ',
        instrument_key: RELIANCE,
        lot_size: 1,
        tick_size: 10,
        trading_symbol: 'RELIANCE',
      },
      {
        segment: 'NSE_FO',
        name: 'NIFTY',
        exchange: 'NSE',
        instrument_type: 'FUT',
        instrument_key: 'NSE_FO|49229',
        lot_size: 75,
        tick_size: 5,
        trading_symbol: 'NIFTY25DECFUT',
        expiry: 1766946599000,
        strike_price: 0,
      },
    ])
    const r = parseUpstoxInstrumentsJson(text)
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.instruments[0]).toEqual({
      instrumentKey: RELIANCE,
      exchange: 'NSE',
      segment: 'NSE_EQ',
      tradingSymbol: 'RELIANCE',
      name: 'RELIANCE INDUSTRIES LTD',
      isin: 'INE002A01018',
      lotSize: 1,
      tickSizePaise: 10,
      instrumentType: 'EQ',
      expiryMs: null,
      strikePaise: null,
    })
    expect(r.right.instruments[1]?.expiryMs).toBe(1766946599000)
    expect(E.isLeft(parseUpstoxInstrumentsJson('[{"instrument_key":"bad key"}]'))).toBe(true)
  })
  it('generic CSV: a column mapping, naive IST times, end labels shifted to starts', () => {
    const text = 'Sym,Day,Clock,O,H,L,C,V\n"RELIANCE",20250102,09:16,1221.25,1226.2,1221.25,1223.05,10\n'
    const r = parseGenericCsv(text, ctx, {
      symbol: 'Sym',
      date: 'Day',
      time: 'Clock',
      open: 'O',
      high: 'H',
      low: 'L',
      close: 'C',
      volume: 'V',
      dateFormat: 'YYYYMMDD',
      timezone: 'IST',
      label: 'end',
      timeframe: '1m',
    })
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.bars[0]?.openMs).toBe(Date.parse('2025-01-02T09:15:00+05:30'))
    expect(r.right.bars[0]?.instrumentKey).toBe(RELIANCE)
  })
  it('detects formats from content', () => {
    expect(detectFormat('x.csv', equityFile())).toBe('equity-1min-csv')
    expect(detectFormat('x.csv', 'timestamp,open,high,low,close,volume,oi\n')).toBe('daily-csv')
    expect(detectFormat('x.csv', 'Price,Close,High,Low,Open,Volume\n')).toBe('yfinance-csv')
    expect(detectFormat('x.txt', 'NIFTY,20221101,09:16,1,1,1,1,0,0\n')).toBe('index-1min-txt')
    expect(detectFormat('x.json', '{"status":"success"}')).toBe('upstox-candles-json')
    expect(detectFormat('x.json', '[{}]')).toBe('upstox-instruments-json')
    expect(detectFormat('NIFTY_50.csv', 'date,o,h,l,c,v\n')).toBe('eod-csv')
    expect(detectFormat('2022-11-01.csv', '2022-11-01 09:15:00,18130.7\n')).toBe('nifty-index-1s')
    expect(detectFormat('k.csv', 'time,instrument_token,trading_symbol,last_price\n')).toBe('kite-futures-ticks')
    expect(detectFormat('d.csv', 'time,type,ltp,volume,oi\n')).toBe('dhan-futures-ticks')
    expect(detectFormat('x.csv', 'a,b\n')).toBeUndefined()
  })
})

describe('Upstox candles: the interval, guessed or given, must fit the spacing', () => {
  const doc = (...stamps: string[]) =>
    JSON.stringify({ status: 'success', data: { candles: stamps.map((t) => [t, 100, 101, 99, 100.5, 10, 0]) } })
  const parse = (text: string, tf?: '1m' | '5m' | '1d') =>
    parseUpstoxCandlesJson(text, { symbolKeys, instrumentKey: RELIANCE }, tf)
  const reason = (r: ReturnType<typeof parse>) => (E.isLeft(r) ? [r.left.line, r.left.reason] : 'imported')
  // v3 weekly candles (Mondays) and monthly candles (the 1st), newest first: IST midnights a week or more apart.
  const weekly = doc('2025-01-20T00:00:00+05:30', '2025-01-13T00:00:00+05:30', '2025-01-06T00:00:00+05:30')
  const monthly = doc('2025-03-01T00:00:00+05:30', '2025-02-01T00:00:00+05:30', '2025-01-01T00:00:00+05:30')

  it('weekly and monthly candles are rejected, not stored as 1d bars', () => {
    expect(reason(parse(weekly))).toEqual([
      2,
      'candles are 7 days apart at least: weekly or monthly candles, not a stored timeframe (pass --timeframe 1d if they are daily)',
    ])
    // The smallest step is February's 28 days, ending at the newest candle (line 1).
    expect(reason(parse(monthly))).toEqual([
      1,
      'candles are 28 days apart at least: weekly or monthly candles, not a stored timeframe (pass --timeframe 1d if they are daily)',
    ])
  })
  it('daily candles across a weekend and a holiday are still 1d', () => {
    const r = parse(doc('2025-01-06T00:00:00+05:30', '2025-01-03T00:00:00+05:30', '2025-01-02T00:00:00+05:30'))
    expect(E.isRight(r) && r.right.bars.map((b) => b.timeframe)).toEqual(['1d', '1d', '1d'])
  })
  it('one candle shows no interval: rejected unless --timeframe says it', () => {
    expect(reason(parse(doc('2025-01-02T09:15:00+05:30')))).toEqual([
      1,
      'one intraday candle: its interval cannot be read; pass --timeframe',
    ])
    expect(reason(parse(doc('2025-01-02T00:00:00+05:30')))).toEqual([
      1,
      'candles of one date only: their interval (day, week, month) cannot be read; pass --timeframe',
    ])
    const five = parse(doc('2025-01-02T09:15:00+05:30'), '5m')
    expect(E.isRight(five) && five.right.bars.map((b) => b.timeframe)).toEqual(['5m'])
    const day = parse(doc('2025-01-02T00:00:00+05:30'), '1d')
    expect(E.isRight(day) && day.right.bars.map((b) => [b.timeframe, b.openMs])).toEqual([
      ['1d', Date.parse('2025-01-02T09:15:00+05:30')],
    ])
  })
  it('spacing that is not a whole number of intervals is rejected, naming the candle', () => {
    // 1-minute candles given as 5m: the second candle (line 1, newest first) is 1 minute after the first.
    expect(reason(parse(doc('2025-01-02T09:16:00+05:30', '2025-01-02T09:15:00+05:30'), '5m'))).toEqual([
      1,
      'candle is 1 minute after the one before: not a whole number of 5m intervals',
    ])
    // Guessed 5m from the smallest step, then a 7-minute step.
    expect(
      reason(parse(doc('2025-01-02T09:27:00+05:30', '2025-01-02T09:20:00+05:30', '2025-01-02T09:15:00+05:30'))),
    ).toEqual([1, 'candle is 7 minutes after the one before: not a whole number of 5m intervals'])
    // A gap of whole intervals is a missing candle, not a mismatch.
    const gap = parse(doc('2025-01-02T09:30:00+05:30', '2025-01-02T09:20:00+05:30', '2025-01-02T09:15:00+05:30'))
    expect(E.isRight(gap) && gap.right.bars.map((b) => b.timeframe)).toEqual(['5m', '5m', '5m'])
    expect(reason(parse(weekly, '5m'))).toEqual([1, 'an IST-midnight (daily) candle is not a 5m candle'])
    expect(reason(parse(doc('2025-01-02T09:15:00+05:30'), '1d'))).toEqual([
      1,
      'candle is not at IST midnight, so not a daily candle (--timeframe 1d)',
    ])
  })
  it('--timeframe is refused for files of other formats', () => {
    const r = parseMarketFile('/d/RELIANCE.csv', 'date,o,h,l,c,v\n2024-08-12,1470.0,1473.0,1457.75,1460.6,1\n', {
      policy: 'skip',
      symbolKeys,
      timeframe: '1d',
    })
    expect(E.isLeft(r) && [r.left._tag, r.left.reason, r.left.rowsRead]).toEqual([
      'TimeframeNotApplicable',
      '--timeframe is for upstox-candles-json files; this file is eod-csv, whose timeframe is its own',
      1,
    ])
  })
})

describe('--mapping: a generic CSV column mapping from JSON', () => {
  const left = (u: unknown) => {
    const r = decodeColumnMapping(u)
    return E.isLeft(r) ? r.left : 'decoded'
  }
  it('fills the defaults of a reading that only names columns', () => {
    expect(decodeColumnMapping({ date: 'Date', time: 'Time', open: 'O', high: 'H', low: 'L', close: 'C' })).toEqual(
      E.right({
        date: 'Date',
        time: 'Time',
        open: 'O',
        high: 'H',
        low: 'L',
        close: 'C',
        dateFormat: 'YYYY-MM-DD',
        timezone: 'IST',
        label: 'start',
        timeframe: '1m',
      }),
    )
  })
  it('names the bad field and what it accepts', () => {
    const cols = { timestamp: 'ts', open: 'o', high: 'h', low: 'l', close: 'c' }
    expect(left({ ...cols, close: undefined })).toBe(
      '"close" must be a non-empty column name (a header cell); it is missing',
    )
    expect(left({ ...cols, high: 3 })).toBe('"high" must be a non-empty column name (a header cell); got 3')
    expect(left({ ...cols, dateFormat: 'MM/DD/YYYY' })).toBe(
      '"dateFormat" must be one of "YYYY-MM-DD", "DD-MM-YYYY", "YYYYMMDD"; got "MM/DD/YYYY"',
    )
    expect(left({ ...cols, timeframe: '2m' })).toBe(
      '"timeframe" must be one of "1m", "3m", "5m", "15m", "30m", "1h", "1d"; got "2m"',
    )
    expect(left({ ...cols, clsoe: 'c' })).toMatch(/^unknown field "clsoe" \(fields: timestamp, date, time, open/)
    expect(left({ open: 'o', high: 'h', low: 'l', close: 'c' })).toBe('map either "timestamp" or "date" (+ "time")')
    expect(left({ ...cols, date: 'd' })).toMatch(/^"timestamp" and "date"\/"time" exclude each other/)
    expect(left([cols])).toBe('expected a JSON object of column names')
  })
})

describe('data rows of a file that was not imported', () => {
  it('counts data lines, not header or blank lines, per format', () => {
    expect(countDataRows('equity-1min-csv', equityFile(row('09:15:00', '1', '1', '1', '1'), 'garbage'))).toBe(2)
    expect(countDataRows('yfinance-csv', 'Price,Close\nTicker,^NSEI\nDatetime,\n2025-09-01,1\n\n')).toBe(1)
    expect(countDataRows('index-1min-txt', 'NIFTY,20221101,09:16,1,1,1,1,0,0\n')).toBe(1)
    expect(countDataRows('upstox-instruments-json', '[{},{}]')).toBe(2)
    expect(countDataRows('upstox-candles-json', '{"data":{"candles":[[],[],[]]}}')).toBe(3)
    expect(countDataRows(undefined, 'a,b\n1,2\n3,4')).toBe(2)
    expect(countDataRows(undefined, '1,2\n3,4\n')).toBe(2)
  })
})

describe('eod-csv preset', () => {
  it('reads date,o,h,l,c,v as daily bars labelled 09:15 IST, symbol from the file name', () => {
    const r = parseMarketFile('/d/RELIANCE.csv', 'date,o,h,l,c,v\n2024-08-12,1470.0,1473.0,1457.75,1460.6,8184584\n', {
      policy: 'reject',
      symbolKeys,
    })
    expect(E.isRight(r) && r.right.format).toBe('eod-csv')
    expect(E.isRight(r) && r.right.bars).toEqual([
      {
        line: 2,
        instrumentKey: RELIANCE,
        timeframe: '1d',
        openMs: Date.parse('2024-08-12T09:15:00+05:30'),
        openPaise: 147000,
        highPaise: 147300,
        lowPaise: 145775,
        closePaise: 146060,
        volume: 8184584,
        oi: 0,
        flags: 0,
      },
    ])
  })
})

import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { istInstant } from '../../domain/time/index.js'
import { parseDhanFuturesTicksCsv } from './dhanFuturesTicksCsv.js'
import { parseKiteFuturesTicksCsv, upstoxKeyFromKiteToken } from './kiteFuturesTicksCsv.js'
import { parseNiftyIndex1sCsv } from './niftyIndex1sCsv.js'
import { detectTickFileFormat, parseTickFile } from './parseTickFile.js'
import { parseStamp } from './tickFields.js'
import { NIFTY_50_KEY, NIFTY25DECFUT_KEY } from './tickFileTypes.js'

// Hand-written lines in each format (made-up values; the real files are checked in tests/marketData).

const KITE_HEADER =
  'time,instrument_token,trading_symbol,last_price,volume_traded,oi,last_traded_quantity,average_traded_price,' +
  'total_buy_quantity,total_sell_quantity,day_open,day_high,day_low,day_close,change,last_trade_time,oi_delta,' +
  'volume_delta,aggressor_side,cvd_change,depth_toxicity_tick,kyle_lambda_tick,bid_price_1,bid_qty_1,ask_price_1,ask_qty_1'
const kiteRow = (time: string, ltp: string, vol: string, ltt: string) =>
  `${time},12683010,NIFTY25DECFUT,${ltp},${vol},1000,75,100.00,1,1,1,1,1,1,0,${ltt},0,0,BUY,0,0,0,99.95,75,100.05,150`
const DHAN_HEADER =
  'time,type,ltp,volume,oi,ltq,atp,total_buy_qty,total_sell_qty,open,high,low,close,bid_price_1,bid_qty_1,bid_orders_1,ask_price_1,ask_qty_1,ask_orders_1'

describe('field readers', () => {
  it('reads naive IST, explicit UTC, and refuses a stamp in an unexpected zone', () => {
    const ist = istInstant('2025-12-29', '12:47:02')!
    expect(parseStamp('2025-12-29 12:47:02.553384', 'IST', 'none')).toBe(ist + 553)
    expect(parseStamp('2025-12-29 07:17:02+00:00', 'UTC', 0)).toBe(ist) // 07:17:02 UTC is 12:47:02 IST
    expect(parseStamp('2025-12-29 07:17:02+00:00', 'UTC', 0)).toBe(Date.UTC(2025, 11, 29, 7, 17, 2))
    expect(parseStamp('2025-12-29 12:47:02+05:30', 'UTC', 0)).toBeUndefined()
    expect(parseStamp('2025-12-29 07:17:02', 'UTC', 0)).toBeUndefined()
    expect(parseStamp('2025-02-30 10:00:00', 'IST', 'none')).toBeUndefined()
    expect(parseStamp('garbage', 'IST', 'none')).toBeUndefined()
  })
})

describe('NIFTY per-second index values', () => {
  it('turns each line into a volume-less tick at that IST second, and rejects bad lines with their number', () => {
    const p = parseNiftyIndex1sCsv(
      '2022-11-01 09:15:00,100.5\n2022-11-01 09:15:01,abc\n\nnonsense\n2022-11-01 09:15:02,101\n',
    )
    expect(p.ticks.map((t) => t.payload)).toEqual([
      { instrumentKey: NIFTY_50_KEY, ltpPaise: 10050, lttMs: istInstant('2022-11-01', '09:15:00'), ltq: 0 },
      { instrumentKey: NIFTY_50_KEY, ltpPaise: 10100, lttMs: istInstant('2022-11-01', '09:15:02'), ltq: 0 },
    ])
    expect(p.lines).toEqual([1, 5])
    expect(p.rejections.map((r) => r.line)).toEqual([2, 4])
    expect(p.rowsRead).toBe(4)
  })
})

describe('Kite futures snapshots (UTC)', () => {
  it('uses last_trade_time as lttMs, the snapshot time as ts, and derives NSE_FO|<token>>8>', () => {
    const text = [
      KITE_HEADER,
      kiteRow('2025-12-29 07:17:02+00:00', '100.05', '5000', '2025-12-29 07:17:01+00:00'),
    ].join('\n')
    const p = parseKiteFuturesTicksCsv(text)
    if (E.isLeft(p)) throw new Error('left')
    const t = p.right.ticks[0]!
    expect(t.ts).toBe(Date.UTC(2025, 11, 29, 7, 17, 2))
    expect(t.payload).toMatchObject({
      instrumentKey: NIFTY25DECFUT_KEY,
      ltpPaise: 10005,
      lttMs: Date.UTC(2025, 11, 29, 7, 17, 1),
      volume: 5000,
      ltq: 75,
      oi: 1000,
      bidPaise: 9995,
      askPaise: 10005,
    })
    expect(upstoxKeyFromKiteToken(12683010)).toBe('NSE_FO|49543')
    expect(upstoxKeyFromKiteToken(12683009)).toBeUndefined()
  })

  it('rejects a row with a naive timestamp, and a file without the columns it needs', () => {
    const text = [KITE_HEADER, kiteRow('2025-12-29 07:17:02', '100.05', '5000', '2025-12-29 07:17:01+00:00')].join('\n')
    const p = parseKiteFuturesTicksCsv(text)
    expect(E.isRight(p) && p.right.rejections).toEqual([{ line: 2, reason: 'invalid UTC time "2025-12-29 07:17:02"' }])
    expect(parseKiteFuturesTicksCsv('time,last_price\n')).toEqual(
      E.left({ _tag: 'TickFileUnreadable', line: 1, reason: expect.stringContaining('instrument_token') }),
    )
  })
})

describe('Dhan futures packets (naive IST)', () => {
  it('reads full packets, skips oi packets, rounds float32 prices and counts them', () => {
    const text = [
      DHAN_HEADER,
      '2025-12-29 12:47:02.553384,full,100.05000305175781,5000,1000,75,100,1,1,1,1,1,1,99.94999694824219,75,1,100.05000305175781,150,2',
      '2025-12-29 12:47:02.555390,oi,,,1000,,,,,,,,,,,,,,',
      '2025-12-29 12:47:03.000000,full,x,5000,1000,75,100,1,1,1,1,1,1,99.95,75,1,100.05,150,2',
    ].join('\r\n')
    const p = parseDhanFuturesTicksCsv(text)
    if (E.isLeft(p)) throw new Error('left')
    expect(p.right.ticks).toHaveLength(1)
    expect(p.right.ticks[0]!.payload).toMatchObject({
      instrumentKey: NIFTY25DECFUT_KEY,
      ltpPaise: 10005,
      lttMs: istInstant('2025-12-29', '12:47:02')! + 553,
      volume: 5000,
      bidPaise: 9995,
      askPaise: 10005,
    })
    expect(p.right.pricesRounded).toBe(3)
    expect(p.right.skipped).toEqual([{ line: 3, reason: 'open-interest packet (no trade fields)' }])
    expect(p.right.rejections).toEqual([{ line: 4, reason: 'invalid ltp "x"' }])
  })
})

describe('format detection', () => {
  it('recognises each format by its first line, and refuses an unknown one', () => {
    expect(detectTickFileFormat(`${KITE_HEADER}\n`)).toBe('kite-futures-ticks')
    expect(detectTickFileFormat(`${DHAN_HEADER}\r\n`)).toBe('dhan-futures-ticks')
    expect(detectTickFileFormat('2022-11-01 09:00:15,18149.75\n')).toBe('nifty-index-1s')
    expect(parseTickFile('a,b,c\n')).toEqual(
      E.left({ _tag: 'TickFileUnreadable', line: 1, reason: 'unknown tick file format (first line not recognised)' }),
    )
  })
})

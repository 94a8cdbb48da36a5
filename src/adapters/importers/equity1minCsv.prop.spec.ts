import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { itWithNseData, nseDataDir } from '../../../tests/support/nseData.js'
import { EQUITY_1MIN_HEADER, parseEquity1minCsv, parseEquity1minCsvGeneral } from './equity1minCsv.js'
import { equityScanState, scanEquityLine } from './equityLineScan.js'
import { listDataFiles } from './importFiles.js'
import { midnightOfKey } from './parseContext.js'

// The fast scan must never change a result: on any file, the production parser and the general path return the
// same Either, deep equal (bars, counts, roundings, and the first error's line and text).

const RELIANCE = 'NSE_EQ|INE002A01018'
const ctx = { symbolKeys: new Map([['RELIANCE', RELIANCE]]), symbolHint: 'RELIANCE' }

const pad2 = (n: number) => String(n).padStart(2, '0')
const odd = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary })

// A few dates, so the midnight of a date is reused across lines (and across the two paths).
const canonicalDate = fc.constantFrom('01-01-2025', '02-01-2025', '29-02-2024', '31-12-2025', '15-08-2025')
const date = fc.oneof(
  odd(12, canonicalDate),
  odd(
    1,
    fc.constantFrom('31-02-2025', '32-01-2025', '00-01-2025', '29-02-2025', '01-13-2025', '1-1-2025', '2025-01-01'),
  ),
  odd(1, fc.constantFrom('01/01/2025', '', ' 01-01-2025', '01-01-2025 ', 'ab-cd-efgh', '01-01-0000', '01-01-20251')),
)

const canonicalTime = fc
  .tuple(fc.nat({ max: 23 }), fc.nat({ max: 59 }), fc.nat({ max: 59 }), fc.boolean())
  .map(([h, m, s, short]) => (short ? `${pad2(h)}:${pad2(m)}` : `${pad2(h)}:${pad2(m)}:${pad2(s)}`))
const time = fc.oneof(
  odd(12, canonicalTime),
  odd(1, fc.constantFrom('24:00:00', '09:60:00', '09:15:60', '9:15:00', '09:15:0', '09:1', '', ' 09:15:00')),
  odd(1, fc.constantFrom('09-15-00', '091500', '09:15:00 ', '09:15:00:00', '0a:15:00', '09:15:0x')),
)

const priceFrom = (min: number) =>
  fc
    .tuple(fc.integer({ min, max: 9_999_999 }), fc.nat({ max: 2 }), fc.nat({ max: 99 }))
    .map(([w, decimals, f]) => (decimals === 0 ? `${w}` : decimals === 1 ? `${w}.${f % 10}` : `${w}.${pad2(f)}`))
// Zero is in the set's form but not a positive price: the general path names it.
const canonicalPrice = priceFrom(0)
const positivePrice = priceFrom(1)
const price = fc.oneof(
  odd(20, canonicalPrice),
  odd(
    1,
    canonicalPrice.map((p) => ` ${p}`),
  ),
  odd(
    1,
    canonicalPrice.map((p) => `${p} `),
  ),
  odd(
    1,
    canonicalPrice.map((p) => (p.includes('.') ? `${p}5` : `${p}.125`)),
  ),
  odd(1, fc.constantFrom('24876.599609375', '0.004', '0.005', '1.999', '12.3456789', '99999999999999.99')),
  odd(1, fc.constantFrom('', ' ', '0', '0.00', '-1', '+1', '-0', '.5', '5.', '1e3', 'x1', '1,5', '1.2.3', '1..2')),
  odd(1, fc.constantFrom('00012.30', '0001', '1234567890123', '12345678901234', '999999999999999999', '١٢')),
)

const canonicalCount = fc.nat({ max: 50_000_000 }).map(String)
const count = fc.oneof(
  odd(20, canonicalCount),
  odd(1, fc.constantFrom('', ' ', '1.0', '1.00', '1.5', '-1', '+1', ' 7 ', 'x', '007', '1e3', '1.')),
  odd(1, fc.constantFrom('123456789012345', '1234567890123456', '12345678901234567890', '9007199254740993')),
)

const trailing = fc.oneof(
  odd(12, fc.constantFrom('1,2885,01-01-0001 00:00:00', '1,16669,01-01-0001 00:00:00')),
  odd(1, fc.constantFrom(',,', '1,2885', '1', '', '1,2885,x,y', '1,2,3,4,5', '1,2885,01-01-0001 00:00:00,')),
)

const canonicalLine = fc
  .tuple(canonicalDate, canonicalTime, positivePrice, positivePrice, positivePrice, positivePrice)
  .chain(([d, t, o, h, l, c]) =>
    fc.tuple(canonicalCount, canonicalCount).map(([v, oi]) => `${d},${t},${o},${h},${l},${c},${v},${oi},1,2885,x`),
  )

const line = fc.oneof(
  odd(
    30,
    fc.tuple(date, time, price, price, price, price, count, count, trailing).map((fields) => fields.join(',')),
  ),
  odd(1, fc.constantFrom('', ' ', 'garbage', ',,,,,,,,,,', `${EQUITY_1MIN_HEADER}`, '\r', 'a\rb')),
)

const file = fc
  .record({
    bom: fc.boolean(),
    header: fc.oneof(odd(20, fc.constant(EQUITY_1MIN_HEADER)), odd(1, fc.constantFrom('', 'date,time'))),
    lines: fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 40 }),
    finalBreak: fc.boolean(),
  })
  .map(({ bom, header, lines, finalBreak }) => {
    let text = bom ? '\uFEFF' : ''
    text += header
    for (const [l, eol] of lines) text += `${eol}${l}`
    return finalBreak ? `${text}\r\n` : text
  })

describe('equity 1-minute CSV: the fast scan against the general path', () => {
  it('gives the same Either on files mixing canonical and perturbed lines', () => {
    fc.assert(
      fc.property(file, (text) => {
        expect(parseEquity1minCsv(text, ctx)).toStrictEqual(parseEquity1minCsvGeneral(text, ctx))
      }),
      { numRuns: 2_000 },
    )
  })

  it('reads every canonical line itself (the general path is only the fallback)', () => {
    fc.assert(
      fc.property(canonicalLine, (l) => {
        const bar = scanEquityLine(l, 0, l.length, 2, RELIANCE, equityScanState(midnightOfKey()))
        const general = parseEquity1minCsvGeneral(`${EQUITY_1MIN_HEADER}\n${l}`, ctx)
        expect(E.isRight(general) && general.right.bars).toStrictEqual([bar])
      }),
    )
  })

  it('leaves lines it cannot read exactly to the general path', () => {
    const state = equityScanState(midnightOfKey())
    const refused = [
      '01-01-2025,09:15:00,1.125,1,1,1,1,0,1,2885,x', // a third decimal: rounded, and counted, by the general path
      '01-01-2025,09:15:00, 1,1,1,1,1,0,1,2885,x', // a space
      '01-01-2025,09:15:00,+1,1,1,1,1,0,1,2885,x', // a sign
      '01-01-2025,09:15:00,1,1,1,1,,0,1,2885,x', // an empty volume (read as 0)
      '01-01-2025,09:15:00,1,1,1,1,1.0,0,1,2885,x', // a count with a decimal zero
      '01-01-2025,09:15:00,1,1,1,1,1,0,1,2885', // a trailing field missing
      '01-01-2025,09:15:00,1,1,1,1,1,0,1,2885,x,y', // one too many
      '31-02-2025,09:15:00,1,1,1,1,1,0,1,2885,x', // no such date
      '01-01-2025,24:00:00,1,1,1,1,1,0,1,2885,x', // no such time
      '01-01-2025,09:15:00,0,1,1,1,1,0,1,2885,x', // not a positive price
    ]
    expect(refused.map((l) => scanEquityLine(l, 0, l.length, 2, RELIANCE, state))).toEqual(refused.map(() => undefined))
  })

  itWithNseData(
    'gives the same result on every file of the real equity set',
    () => {
      const files = listDataFiles(join(nseDataDir(), 'equity-1min-2025', '5Scripts'))
      expect(files.length).toBeGreaterThan(600)
      let bars = 0
      for (const f of files) {
        const text = readFileSync(f, 'utf8')
        const fileCtx = { symbolKeys: new Map([[basename(dirname(f)), RELIANCE]]), symbolHint: basename(dirname(f)) }
        const fast = parseEquity1minCsv(text, fileCtx)
        expect(fast).toStrictEqual(parseEquity1minCsvGeneral(text, fileCtx))
        bars += E.isRight(fast) ? fast.right.bars.length : 0
      }
      expect(bars).toBe(260_625)
    },
    120_000,
  )
})

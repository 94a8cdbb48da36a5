import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseHhmm } from '../time/index.js'
import {
  type CalendarParseError,
  type CalendarRow,
  createTradingCalendar,
  parseCalendarCsv,
  REGULAR_CLOSE_SEC,
  REGULAR_OPEN_SEC,
} from './tradingCalendar.js'

// Pure tests on CSV text; the real NSE file is tested through the loader in src/adapters/calendar/.

const HEADER = 'date,kind,description,session_open,session_close,source'
const csv = (...rows: string[]): string => [HEADER, ...rows].join('\n')

const parseOk = (text: string): readonly CalendarRow[] => {
  const r = parseCalendarCsv(text)
  if (E.isLeft(r)) throw new Error(`expected a parse, got line ${r.left.line}: ${r.left.reason}`)
  return r.right
}
const parseErr = (text: string): CalendarParseError => {
  const r = parseCalendarCsv(text)
  if (E.isRight(r)) throw new Error(`expected an error, got ${r.right.length} rows`)
  return r.left
}

describe('parseCalendarCsv', () => {
  describe('given well-formed rows', () => {
    it('then it returns one row per line with times in seconds after midnight', () => {
      const rows = parseOk(
        csv('2025-03-14,holiday,Holi,,,data+published', '2025-10-21,muhurat,Diwali Laxmi Pujan,13:45,14:45,published'),
      )
      expect(rows).toEqual([
        { date: '2025-03-14', kind: 'holiday', description: 'Holi', openSec: undefined, closeSec: undefined },
        {
          date: '2025-10-21',
          kind: 'muhurat',
          description: 'Diwali Laxmi Pujan',
          openSec: parseHhmm('13:45'),
          closeSec: parseHhmm('14:45'),
        },
      ])
    })

    it('then a quoted description may hold commas and doubled quotes', () => {
      const [row] = parseOk(
        csv('2025-02-01,special_session,"Budget day, ""Saturday"" session, regular timings",09:15,15:30,published'),
      )
      expect(row?.description).toBe('Budget day, "Saturday" session, regular timings')
      expect(row?.openSec).toBe(REGULAR_OPEN_SEC)
      expect(row?.closeSec).toBe(REGULAR_CLOSE_SEC)
    })

    it('then a BOM, CRLF line endings and blank lines are tolerated', () => {
      const text = `\uFEFF${HEADER}\r\n2025-03-14,holiday,Holi,,,data\r\n\r\n2025-04-18,holiday,Good Friday,,,data\r\n`
      expect(parseOk(text).map((r) => r.date)).toEqual(['2025-03-14', '2025-04-18'])
    })

    it('then a header-only file is an empty calendar', () => {
      expect(parseOk(`${HEADER}\n`)).toEqual([])
    })
  })

  describe('given a malformed file, then the error names the line (1-based, header is line 1)', () => {
    it.each([
      ['a wrong header', 'date,kind,description,open,close,source\n2025-03-14,holiday,Holi,,,data', 1, /header/],
      ['an empty file', '', 1, /header/],
      [
        'a bad date',
        csv('2025-03-14,holiday,Holi,,,data', '2025-02-30,holiday,Nothing,,,data'),
        3,
        /invalid date "2025-02-30"/,
      ],
      ['a DD-MM-YYYY date', csv('14-03-2025,holiday,Holi,,,data'), 2, /invalid date/],
      ['an unknown kind', csv('2025-03-14,closed,Holi,,,data'), 2, /unknown kind "closed"/],
      [
        'a duplicate date',
        csv(
          '2025-03-14,holiday,Holi,,,data',
          '2025-04-18,holiday,Good Friday,,,data',
          '2025-03-14,holiday,Holi,,,data',
        ),
        4,
        /duplicate date 2025-03-14/,
      ],
      ['close before open', csv('2024-11-01,muhurat,Muhurat,19:00,18:00,data'), 2, /not after session_open/],
      ['close equal to open', csv('2024-11-01,muhurat,Muhurat,18:00,18:00,data'), 2, /not after session_open/],
      ['a bad open time', csv('2024-11-01,muhurat,Muhurat,6pm,19:00,data'), 2, /invalid session_open "6pm"/],
      ['a bad close time', csv('2024-11-01,muhurat,Muhurat,18:00,25:00,data'), 2, /invalid session_close "25:00"/],
      ['too few fields', csv('2025-03-14,holiday,Holi,,data'), 2, /expected 6 fields, found 5/],
      ['an unquoted comma in the description', csv('2025-03-14,holiday,Holi, Dhuleti,,,data'), 2, /found 7/],
      ['an open time without a close', csv('2024-11-01,muhurat,Muhurat,18:00,,data'), 2, /both be given/],
      ['a close time without an open', csv('2024-11-01,muhurat,Muhurat,,19:00,data'), 2, /both be given/],
      [
        'a holiday with session hours',
        csv('2025-03-14,holiday,Holi,09:15,15:30,data'),
        2,
        /holiday has no session hours/,
      ],
    ])('%s', (_why, text, line, reason) => {
      const err = parseErr(text)
      expect(err._tag).toBe('CalendarParseError')
      expect(err.line).toBe(line)
      expect(err.reason).toMatch(reason)
    })

    it('blank lines still count towards the line number', () => {
      expect(parseErr(`${HEADER}\n\n\n2025-03-14,bogus,Holi,,,data`).line).toBe(4)
    })
  })
})

describe('createTradingCalendar', () => {
  const calendar = createTradingCalendar(
    parseOk(
      csv(
        '2025-02-01,special_session,Budget Saturday,09:15,15:30,data',
        '2025-03-14,holiday,Holi,,,data',
        '2024-11-01,muhurat,Muhurat,18:00,19:00,data',
        '2026-11-08,muhurat,Muhurat (hours not yet announced),,,published',
      ),
    ),
  )

  it('given an unlisted weekday, then it is a regular 09:15-15:30 session', () => {
    // 2025-03-13 is a Thursday with no row.
    expect(calendar.sessionOn('2025-03-13')).toEqual({
      date: '2025-03-13',
      kind: 'regular',
      openSec: parseHhmm('09:15'),
      closeSec: parseHhmm('15:30'),
      description: '',
    })
  })

  it('given an unlisted Saturday or Sunday, then the market is closed', () => {
    expect(calendar.sessionOn('2025-03-15')).toBeUndefined()
    expect(calendar.sessionOn('2025-03-16')).toBeUndefined()
    expect(calendar.isTradingDay('2025-03-15')).toBe(false)
  })

  it('given a holiday row on a weekday, then the market is closed', () => {
    expect(calendar.sessionOn('2025-03-14')).toBeUndefined()
  })

  it('given a weekend special session, then it is a special session with the row hours', () => {
    expect(calendar.sessionOn('2025-02-01')).toMatchObject({ kind: 'special', openSec: REGULAR_OPEN_SEC })
  })

  it('given a Muhurat row with hours, then only the Muhurat hour trades', () => {
    expect(calendar.sessionOn('2024-11-01')).toMatchObject({
      kind: 'muhurat',
      openSec: parseHhmm('18:00'),
      closeSec: parseHhmm('19:00'),
    })
  })

  it('given a Muhurat row whose hours are not announced, then it is not (yet) a trading day', () => {
    expect(calendar.isTradingDay('2026-11-08')).toBe(false)
  })

  it('given an invalid date, then there is no session', () => {
    expect(calendar.sessionOn('2025-02-30')).toBeUndefined()
    expect(calendar.tradingDays('2025-02-30', '2025-03-31')).toEqual([])
  })

  it('given a range, then tradingDays lists sessions in order, both ends included', () => {
    // Thu 13 (regular), Fri 14 (Holi), Sat 15, Sun 16, Mon 17 (regular).
    expect(calendar.tradingDays('2025-03-13', '2025-03-17')).toEqual(['2025-03-13', '2025-03-17'])
    expect(calendar.tradingDays('2025-01-31', '2025-02-03')).toEqual(['2025-01-31', '2025-02-01', '2025-02-03'])
    expect(calendar.tradingDays('2025-03-17', '2025-03-13')).toEqual([])
  })

  it('given rows from 2024 to 2026, then coverage spans those whole years', () => {
    expect(calendar.coverage).toEqual({ from: '2024-01-01', to: '2026-12-31' })
    expect(createTradingCalendar([]).coverage).toBeUndefined()
  })
})

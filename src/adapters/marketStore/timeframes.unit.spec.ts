import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createTradingCalendar, parseCalendarCsv } from '../../domain/calendar/index.js'
import { barCloseMs, bucketSql, bucketStartMs, packagedSessionTable, sessionTableOf } from './timeframes.js'

const ist = (s: string) => Date.parse(`${s}+05:30`)

const rows = parseCalendarCsv(
  [
    'date,kind,description,session_open,session_close,source',
    '2021-02-24,special_session,Outage; extended to 17:00,09:15,17:00,data',
    '2024-03-02,special_session,Saturday DR session,09:15,12:30,data',
    '2024-11-01,muhurat,Muhurat,18:00,19:00,data',
    '2025-02-01,special_session,Budget Saturday,09:15,15:30,data',
    '2025-03-14,holiday,Holi,,,data',
    '2025-10-21,muhurat,Muhurat afternoon,13:45,14:45,published',
  ].join('\n'),
)
if (E.isLeft(rows)) throw new Error(rows.left.reason)
const sessions = sessionTableOf(createTradingCalendar(rows.right))
const empty = { irregular: new Map() }

describe('session-aligned timeframes: regular days (09:15 anchor)', () => {
  it('buckets start at 09:15 IST, not at the clock hour', () => {
    expect(bucketStartMs(ist('2025-01-02T10:14:00'), '1h', sessions)).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T10:15:00'), '1h', sessions)).toBe(ist('2025-01-02T10:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:44:00'), '30m', sessions)).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:19:00'), '5m', sessions)).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:20:00'), '3m', sessions)).toBe(ist('2025-01-02T09:18:00'))
    expect(bucketStartMs(ist('2025-01-02T15:29:00'), '15m', sessions)).toBe(ist('2025-01-02T15:15:00'))
    expect(bucketStartMs(ist('2025-01-02T15:29:00'), '1d', sessions)).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T00:10:00'), '1d', sessions)).toBe(ist('2025-01-02T09:15:00'))
  })
  it('a bar closes at start + timeframe, but a session bar never after 15:30', () => {
    expect(barCloseMs(ist('2025-01-02T09:15:00'), '1m', sessions)).toBe(ist('2025-01-02T09:16:00'))
    expect(barCloseMs(ist('2025-01-02T14:15:00'), '1h', sessions)).toBe(ist('2025-01-02T15:15:00'))
    expect(barCloseMs(ist('2025-01-02T15:15:00'), '1h', sessions)).toBe(ist('2025-01-02T15:30:00'))
    expect(barCloseMs(ist('2025-01-02T15:00:00'), '30m', sessions)).toBe(ist('2025-01-02T15:30:00'))
    expect(barCloseMs(ist('2025-01-02T09:15:00'), '1d', sessions)).toBe(ist('2025-01-02T15:30:00'))
  })
})

describe('session-aligned timeframes: irregular sessions follow the calendar', () => {
  it('keeps only the days whose hours are not 09:15-15:30 (not the Budget Saturday, not a holiday)', () => {
    expect(sessions.irregular.size).toBe(4)
    const days = [...sessions.irregular.values()].map((s) => [s.openMs / 60_000, s.closeMs / 60_000])
    expect(days).toEqual([
      [555, 1020],
      [555, 750],
      [1080, 1140],
      [825, 885],
    ])
  })
  it('the 2024-11-01 Muhurat evening: buckets from 18:00, one 1h bar 18:00-19:00, the 1d bar 18:00-19:00', () => {
    expect(bucketStartMs(ist('2024-11-01T18:59:00'), '1h', sessions)).toBe(ist('2024-11-01T18:00:00'))
    expect(bucketStartMs(ist('2024-11-01T18:40:00'), '30m', sessions)).toBe(ist('2024-11-01T18:30:00'))
    expect(bucketStartMs(ist('2024-11-01T18:40:00'), '1d', sessions)).toBe(ist('2024-11-01T18:00:00'))
    expect(barCloseMs(ist('2024-11-01T18:00:00'), '1h', sessions)).toBe(ist('2024-11-01T19:00:00'))
    expect(barCloseMs(ist('2024-11-01T18:00:00'), '1d', sessions)).toBe(ist('2024-11-01T19:00:00'))
    // A daily importer's 09:15 label: still closes when the evening session does, not at 15:30.
    expect(barCloseMs(ist('2024-11-01T09:15:00'), '1d', sessions)).toBe(ist('2024-11-01T19:00:00'))
    // Without the calendar's hours this is the 09:15 grid: 17:15 and 18:15, closing at 15:30 for the day.
    expect(bucketStartMs(ist('2024-11-01T18:10:00'), '1h', empty)).toBe(ist('2024-11-01T17:15:00'))
    expect(barCloseMs(ist('2024-11-01T09:15:00'), '1d', empty)).toBe(ist('2024-11-01T15:30:00'))
  })
  it('the 2025-10-21 afternoon Muhurat starts its hour at 13:45; shorter and longer days close at their close', () => {
    expect(bucketStartMs(ist('2025-10-21T14:30:00'), '1h', sessions)).toBe(ist('2025-10-21T13:45:00'))
    expect(barCloseMs(ist('2024-03-02T12:15:00'), '1h', sessions)).toBe(ist('2024-03-02T12:30:00'))
    expect(barCloseMs(ist('2024-03-02T09:15:00'), '1d', sessions)).toBe(ist('2024-03-02T12:30:00'))
    expect(barCloseMs(ist('2021-02-24T15:15:00'), '1h', sessions)).toBe(ist('2021-02-24T16:15:00'))
    expect(barCloseMs(ist('2021-02-24T16:15:00'), '1h', sessions)).toBe(ist('2021-02-24T17:00:00'))
  })
  it('the SQL names only the days off the 09:15 grid of its timeframe, so regular-day queries stay plain arithmetic', () => {
    for (const tf of ['1m', '3m', '5m', '15m'] as const)
      expect(bucketSql(tf, 'open_ms', sessions)).not.toContain('CASE')
    expect(bucketSql('30m', 'open_ms', sessions).match(/WHEN/g)).toHaveLength(1)
    expect(bucketSql('1h', 'open_ms', sessions).match(/WHEN/g)).toHaveLength(2)
    expect(bucketSql('1d', 'open_ms', sessions).match(/WHEN/g)).toHaveLength(2)
    expect(bucketSql('1h', 'open_ms', empty)).toBe('open_ms - (((open_ms - 13500000) % 3600000) + 3600000) % 3600000')
  })
  it('the default table is the packaged calendar’s (2024-11-01 among its irregular days)', () => {
    expect(bucketStartMs(ist('2024-11-01T18:59:00'), '1h')).toBe(ist('2024-11-01T18:00:00'))
    expect(packagedSessionTable().irregular.size).toBeGreaterThanOrEqual(8)
  })
})

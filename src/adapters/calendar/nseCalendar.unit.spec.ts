import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { REGULAR_CLOSE_SEC, REGULAR_OPEN_SEC, type TradingCalendar } from '../../domain/calendar/index.js'
import { addIstDays, type IstDate, istWeekday, parseHhmm } from '../../domain/time/index.js'
import { describeCalendarLoadError, loadCalendar } from './index.js'

// Known exchange facts, checked on the packaged data/calendar/nse-calendar.csv through the real loader.

const loadPackaged = (): TradingCalendar => {
  const r = loadCalendar({ env: {} })
  if (E.isLeft(r)) throw new Error(describeCalendarLoadError(r.left))
  return r.right
}
const nse = loadPackaged()

const daysIn = (from: IstDate, to: IstDate): IstDate[] => {
  const out: IstDate[] = []
  for (let d: IstDate | undefined = from; d !== undefined && d <= to; d = addIstDays(d, 1)) out.push(d)
  return out
}
const isWeekend = (d: IstDate): boolean => istWeekday(d) === 0 || istWeekday(d) === 6
const secs = (hhmm: string): number => parseHhmm(hhmm) as number

describe('the packaged NSE calendar', () => {
  it('covers 2021 to at least 2026 (later years may be appended)', () => {
    expect(nse.coverage?.from).toBe('2021-01-01')
    expect((nse.coverage?.to ?? '') >= '2026-12-31').toBe(true)
  })

  it('given 2025-02-01, the Saturday Union Budget session, then it is a special trading day at regular hours', () => {
    expect(istWeekday('2025-02-01')).toBe(6)
    expect(nse.sessionOn('2025-02-01')).toMatchObject({
      kind: 'special',
      openSec: REGULAR_OPEN_SEC,
      closeSec: REGULAR_CLOSE_SEC,
    })
  })

  it('given 2025-10-21 (Diwali), then only the afternoon Muhurat session runs, 13:45-14:45', () => {
    expect(nse.sessionOn('2025-10-21')).toMatchObject({
      kind: 'muhurat',
      openSec: secs('13:45'),
      closeSec: secs('14:45'),
    })
  })

  it('given 2024-11-01 (Diwali), then only the evening Muhurat session runs, 18:00-19:00', () => {
    expect(nse.sessionOn('2024-11-01')).toMatchObject({
      kind: 'muhurat',
      openSec: secs('18:00'),
      closeSec: secs('19:00'),
    })
  })

  it('given 2023-11-12, a Sunday Muhurat, then it is a trading day', () => {
    expect(istWeekday('2023-11-12')).toBe(0)
    expect(nse.sessionOn('2023-11-12')).toMatchObject({
      kind: 'muhurat',
      openSec: secs('18:15'),
      closeSec: secs('19:15'),
    })
  })

  it('given 2025-03-14 (Holi, a Friday), then the market is closed', () => {
    expect(istWeekday('2025-03-14')).toBe(5)
    expect(nse.sessionOn('2025-03-14')).toBeUndefined()
  })

  it('given the 2023 Bakri Id move, then 06-28 traded and 06-29 was closed', () => {
    expect(nse.isTradingDay('2023-06-28')).toBe(true)
    expect(nse.isTradingDay('2023-06-29')).toBe(false)
  })

  it('given an ordinary weekday (Thursday 2025-01-02), then it is a regular 09:15-15:30 session', () => {
    expect(nse.sessionOn('2025-01-02')).toEqual({
      date: '2025-01-02',
      kind: 'regular',
      openSec: secs('09:15'),
      closeSec: secs('15:30'),
      description: '',
    })
  })

  it('given 2025-05-19 (a Monday missing from the 1-minute data set), then the market was open', () => {
    expect(nse.sessionOn('2025-05-19')?.kind).toBe('regular')
  })

  it('given every weekend day of 2025, then only the Budget Saturday trades', () => {
    const weekendSessions = daysIn('2025-01-01', '2025-12-31').filter((d) => isWeekend(d) && nse.isTradingDay(d))
    expect(weekendSessions).toEqual(['2025-02-01'])
  })

  describe('trading days from 2025-01-01 to 2025-07-24 (the span of the 1-minute data set)', () => {
    const days = nse.tradingDays('2025-01-01', '2025-07-24')

    it('are 141: the data set has 139 days and lacks two trading days, 2025-02-01 and 2025-05-19', () => {
      expect(days).toHaveLength(141)
      expect(days).toContain('2025-02-01')
      expect(days).toContain('2025-05-19')
    })

    it('equal the weekdays, minus the weekday holidays, plus the weekend sessions', () => {
      const all = daysIn('2025-01-01', '2025-07-24')
      const weekdays = all.filter((d) => !isWeekend(d))
      const weekdayHolidays = weekdays.filter((d) => nse.sessionOn(d) === undefined)
      const weekendSessions = all.filter((d) => isWeekend(d) && nse.sessionOn(d) !== undefined)
      // Holidays in the span: 02-26, 03-14, 03-31, 04-10, 04-14, 04-18, 05-01.
      expect(weekdayHolidays).toEqual([
        '2025-02-26',
        '2025-03-14',
        '2025-03-31',
        '2025-04-10',
        '2025-04-14',
        '2025-04-18',
        '2025-05-01',
      ])
      expect(days).toHaveLength(weekdays.length - weekdayHolidays.length + weekendSessions.length)
    })
  })

  it('given the 2026 Muhurat (2026-11-08), whose hours are not announced, then it is not yet a trading day', () => {
    expect(nse.isTradingDay('2026-11-08')).toBe(false)
  })
})

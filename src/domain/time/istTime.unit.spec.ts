import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addIstDays,
  formatIst,
  IST_OFFSET_MS,
  istDateOf,
  istDayNumber,
  istInstant,
  istMidnight,
  istMinuteOfDay,
  istWeekday,
  parseHhmm,
} from './istTime.js'

// IST is UTC+05:30, so IST midnight is 18:30 UTC on the previous calendar day.

describe('IST_OFFSET_MS', () => {
  it('is five and a half hours', () => {
    expect(IST_OFFSET_MS).toBe((5 * 60 + 30) * 60 * 1000)
  })
})

describe('istDateOf around IST midnight', () => {
  it('given 18:29:59Z, then it is still the same IST date', () => {
    expect(istDateOf(Date.UTC(2025, 0, 1, 18, 29, 59))).toBe('2025-01-01')
  })

  it('given 18:30:00Z, then it is the next IST date', () => {
    expect(istDateOf(Date.UTC(2025, 0, 1, 18, 30, 0))).toBe('2025-01-02')
  })

  it('given the last millisecond of an IST year, then the year does not roll early', () => {
    expect(istDateOf(Date.UTC(2025, 11, 31, 18, 29, 59, 999))).toBe('2025-12-31')
    expect(istDateOf(Date.UTC(2025, 11, 31, 18, 30))).toBe('2026-01-01')
  })

  it('given a leap day, then the date is 02-29', () => {
    expect(istDateOf(Date.UTC(2024, 1, 29, 4))).toBe('2024-02-29')
  })
})

describe('istDayNumber', () => {
  it('given the open and the close of one session, then both have the same day number', () => {
    expect(istDayNumber(Date.UTC(2025, 0, 2, 3, 45))).toBe(istDayNumber(Date.UTC(2025, 0, 2, 10, 0)))
  })

  it('given either side of IST midnight, then the day number steps by one', () => {
    const before = istDayNumber(Date.UTC(2025, 0, 1, 18, 29, 59, 999))
    expect(istDayNumber(Date.UTC(2025, 0, 1, 18, 30))).toBe(before + 1)
  })
})

describe('istMinuteOfDay', () => {
  it('given 09:15 IST (03:45Z), then it is minute 555', () => {
    expect(istMinuteOfDay(Date.UTC(2025, 0, 2, 3, 45))).toBe(555)
  })

  it('given 15:30 IST (10:00Z), then it is minute 930', () => {
    expect(istMinuteOfDay(Date.UTC(2025, 0, 2, 10, 0))).toBe(15 * 60 + 30)
  })

  it('given IST midnight and the minute before it, then it is 0 and 1439', () => {
    expect(istMinuteOfDay(Date.UTC(2025, 0, 1, 18, 30))).toBe(0)
    expect(istMinuteOfDay(Date.UTC(2025, 0, 1, 18, 29, 59))).toBe(1439)
  })

  it('given an instant before 1970, then the minute is still within 0..1439', () => {
    // 1969-12-31 18:30Z is IST midnight of 1970-01-01; epoch ms is negative here.
    expect(istMinuteOfDay(Date.UTC(1969, 11, 31, 18, 30))).toBe(0)
    expect(istMinuteOfDay(Date.UTC(1969, 11, 31, 3, 45))).toBe(555)
  })

  it('given seconds inside a minute, then they are truncated', () => {
    expect(istMinuteOfDay(Date.UTC(2025, 0, 2, 3, 45, 59, 999))).toBe(555)
  })

  it('given any instant from 1900 to 2200, then it is the IST wall clock minute that Date reads', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (ms) => {
        const wall = new Date(ms + IST_OFFSET_MS)
        expect(istMinuteOfDay(ms)).toBe(wall.getUTCHours() * 60 + wall.getUTCMinutes())
      }),
      { numRuns: 2000 },
    )
  })
})

describe('istInstant and formatIst', () => {
  it('given 2025-01-02 09:15 IST, then the instant is 03:45Z and formats back with the +05:30 offset', () => {
    const at = istInstant('2025-01-02', '09:15')
    expect(at).toBe(Date.UTC(2025, 0, 2, 3, 45))
    expect(formatIst(at as number)).toBe('2025-01-02T09:15:00.000+05:30')
  })

  it('given instants across a day and a year end, then the formatted text parses back to the same instant', () => {
    const instants = [
      Date.UTC(2025, 0, 2, 3, 45),
      Date.UTC(2025, 0, 1, 18, 29, 59, 999),
      Date.UTC(2025, 0, 1, 18, 30),
      Date.UTC(2025, 11, 31, 20, 0, 0, 7),
      Date.UTC(2024, 1, 28, 20, 15, 30, 45),
    ]
    for (const ms of instants) expect(Date.parse(formatIst(ms))).toBe(ms)
  })

  it('given an IST date and time, then formatIst of the instant shows the same wall clock', () => {
    for (const [date, hhmm] of [
      ['2025-02-01', '09:15'],
      ['2024-11-01', '18:00'],
      ['2025-10-21', '13:45'],
      ['2025-12-31', '23:59:59'],
    ] as const) {
      const at = istInstant(date, hhmm)
      const wall = hhmm.length === 5 ? `${hhmm}:00` : hhmm
      expect(formatIst(at as number)).toBe(`${date}T${wall}.000+05:30`)
      expect(istDateOf(at as number)).toBe(date)
    }
  })
})

describe('invalid dates', () => {
  it.each(['2025-02-30', '2025-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-1-02', '02-01-2025', ''])(
    'given %j, then it is not a date',
    (date) => {
      expect(istMidnight(date)).toBeUndefined()
      expect(istInstant(date, '09:15')).toBeUndefined()
      expect(istWeekday(date)).toBeUndefined()
      expect(addIstDays(date, 1)).toBeUndefined()
    },
  )

  it('given 2024-02-29 (a leap year), then it is a date', () => {
    expect(istMidnight('2024-02-29')).toBe(Date.UTC(2024, 1, 29) - IST_OFFSET_MS)
  })
})

describe('parseHhmm', () => {
  it('given HH:MM and HH:MM:SS, then it returns seconds after midnight', () => {
    expect(parseHhmm('09:15')).toBe(9 * 3600 + 15 * 60)
    expect(parseHhmm('15:30')).toBe(15 * 3600 + 30 * 60)
    expect(parseHhmm('09:15:30')).toBe(9 * 3600 + 15 * 60 + 30)
    expect(parseHhmm('00:00')).toBe(0)
    expect(parseHhmm('23:59:59')).toBe(24 * 3600 - 1)
  })

  it.each(['24:00', '09:60', '09:15:60', '9:15', '0915', '09:15 ', 'ab:cd', ''])(
    'given %j, then it is rejected',
    (s) => {
      expect(parseHhmm(s)).toBeUndefined()
    },
  )

  it('given a bad time with a good date, then istInstant is undefined', () => {
    expect(istInstant('2025-01-02', '25:00')).toBeUndefined()
  })
})

describe('istWeekday and addIstDays', () => {
  it('given known dates, then the weekday matches the UTC calendar of the same date', () => {
    for (const date of ['2025-02-01', '2025-01-02', '2023-11-12', '2024-02-29']) {
      expect(istWeekday(date)).toBe(new Date(`${date}T00:00:00Z`).getUTCDay())
    }
    expect(istWeekday('2025-02-01')).toBe(6) // Budget Saturday
  })

  it('given month, leap-day and year boundaries, then adding days crosses them', () => {
    expect(addIstDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addIstDays('2025-02-28', 1)).toBe('2025-03-01')
    expect(addIstDays('2025-12-31', 1)).toBe('2026-01-01')
    expect(addIstDays('2025-01-01', -1)).toBe('2024-12-31')
    expect(addIstDays('2025-01-02', 0)).toBe('2025-01-02')
    expect(addIstDays('2025-01-01', 365)).toBe('2026-01-01')
  })
})

import * as E from 'fp-ts/lib/Either.js'
import { REGULAR_CLOSE_SEC, REGULAR_OPEN_SEC, type Session, type TradingCalendar } from '../../domain/calendar/index.js'
import { TIMEFRAME_MS, type Timeframe } from '../../domain/events/index.js'
import { addIstDays, DAY_MS, IST_OFFSET_MS, istMidnight } from '../../domain/time/index.js'
import { describeCalendarLoadError, loadCalendar } from '../calendar/index.js'

// Session-aligned buckets, the store's side of the rule `resampleBars` and the live aggregator follow
// (src/projections/bars/barBucket.ts): intraday buckets start at the session's open and step by the timeframe (1h
// bars start 09:15, 10:15, … 15:15 on a regular day, 18:00 on the 2024-11-01 Muhurat evening), and a bucket that
// starts inside the session closes at the latest at the session's close. A 1d bar starts at the session's open and
// closes at its close. Lengths are the domain's `TIMEFRAME_MS` (label steps; `1d` = 24 h).
//
// The hours come from the NSE calendar, day by day. Almost every day is regular (09:15-15:30), so the calendar is
// reduced once to the few days that are not (`SessionTable`): the SQL keeps the plain 09:15-anchored arithmetic and
// only adds a CASE over the irregular days whose open falls off the 09:15 grid of that timeframe (none for
// 1m/3m/5m/15m in the packaged calendar, one for 30m, two for 1h), so the backtest's regular-day query costs the same.

/** A day's normal-market session as ms after IST midnight. */
export interface DaySession {
  readonly openMs: number
  readonly closeMs: number
}

/** The days whose session is not the regular 09:15-15:30, by IST day number; every other day is regular. */
export interface SessionTable {
  readonly irregular: ReadonlyMap<number, DaySession>
}

const REGULAR: DaySession = { openMs: REGULAR_OPEN_SEC * 1000, closeMs: REGULAR_CLOSE_SEC * 1000 }

/** 09:15 IST as ms after UTC midnight (03:45 UTC): the anchor of every regular day's buckets. */
export const SESSION_ANCHOR_MS = REGULAR.openMs - IST_OFFSET_MS

const istDayOf = (ms: number): number => Math.floor((ms + IST_OFFSET_MS) / DAY_MS)
const dayStartMs = (day: number): number => day * DAY_MS - IST_OFFSET_MS
const mod = (a: number, m: number): number => ((a % m) + m) % m

const isIrregular = (s: Session): boolean => s.openSec !== REGULAR_OPEN_SEC || s.closeSec !== REGULAR_CLOSE_SEC

/**
 * The calendar's irregular sessions (Muhurat, special and extended sessions). Only the dates the calendar covers can
 * differ from the weekday rule, so those are the only ones read.
 */
export const sessionTableOf = (calendar: TradingCalendar): SessionTable => {
  const irregular = new Map<number, DaySession>()
  const cov = calendar.coverage
  if (cov !== undefined) {
    for (let d: string | undefined = cov.from; d !== undefined && d <= cov.to; d = addIstDays(d, 1)) {
      const s = calendar.sessionOn(d)
      const midnight = istMidnight(d)
      if (s === undefined || midnight === undefined || !isIrregular(s)) continue
      irregular.set(istDayOf(midnight), {
        openMs: s.openSec * 1000,
        closeMs: s.closeSec * 1000,
      })
    }
  }
  return { irregular }
}

let packaged: SessionTable | undefined

/**
 * The sessions of the calendar every command loads (`loadCalendar()`: $BAHI_CALENDAR, else the packaged file), read
 * once per process. A default because the store's streams are given no calendar (a `BarQuery` has none) and the
 * backtest reads that same file. A calendar that cannot be read throws: the bar query is built inside the stream's
 * start, which turns the throw into a `Left` (and a backtest has loaded the same calendar before it gets here).
 */
export const packagedSessionTable = (): SessionTable => {
  if (packaged === undefined) {
    const calendar = loadCalendar()
    if (E.isLeft(calendar)) throw new Error(describeCalendarLoadError(calendar.left))
    packaged = sessionTableOf(calendar.right)
  }
  return packaged
}

const sessionOf = (sessions: SessionTable, day: number): DaySession => sessions.irregular.get(day) ?? REGULAR

/** The start of the bucket of timeframe `tf` containing the instant `ms`; mirrored in SQL by `bucketSql`. */
export const bucketStartMs = (ms: number, tf: Timeframe, sessions: SessionTable = packagedSessionTable()): number => {
  const day = istDayOf(ms)
  const anchor = dayStartMs(day) + sessionOf(sessions, day).openMs
  if (tf === '1d') return anchor
  return ms - mod(ms - anchor, TIMEFRAME_MS[tf])
}

/**
 * The close time of a bar (the `ts` of its `BarClosed`): start + timeframe, but a bucket that starts inside its day's
 * session never closes after that session's close (the 15:15 hourly bar closes at 15:30; on the extended 2021-02-24 the last one, 16:15, at 17:00).
 * A 1d bar closes at its date's session close whatever its label (daily importers label 09:15, so a Muhurat day's
 * stored bar closes at 19:00, not at 15:30 before its evening existed).
 */
export const barCloseMs = (openMs: number, tf: Timeframe, sessions: SessionTable = packagedSessionTable()): number => {
  const end = openMs + TIMEFRAME_MS[tf]
  if (tf === '1m') return end
  const day = istDayOf(openMs)
  const s = sessionOf(sessions, day)
  const close = dayStartMs(day) + s.closeMs
  if (tf === '1d') return close
  const open = dayStartMs(day) + s.openMs
  return openMs >= open && openMs < close && end > close ? close : end
}

/**
 * SQL for the bucket start of `col` (a BIGINT of epoch ms) in timeframe `tf`; mirrors `bucketStartMs`. Regular days
 * take the 09:15 anchor; an irregular day is named in a CASE only when its open is off that anchor's grid for `tf`.
 */
export const bucketSql = (tf: Timeframe, col = 'open_ms', sessions: SessionTable = packagedSessionTable()): string => {
  const day = `((${col} + ${IST_OFFSET_MS}) // ${DAY_MS})`
  const off = [...sessions.irregular]
    .sort((a, b) => a[0] - b[0])
    .map(([d, s]) => [d, tf === '1d' ? s.openMs : mod(s.openMs - REGULAR.openMs, TIMEFRAME_MS[tf])] as const)
    .filter(([, shift]) => (tf === '1d' ? shift !== REGULAR.openMs : shift !== 0))
  const caseOf = (otherwise: number): string =>
    off.length === 0
      ? `${otherwise}`
      : `(CASE ${day} ${off.map(([d, v]) => `WHEN ${d} THEN ${v}`).join(' ')} ELSE ${otherwise} END)`
  if (tf === '1d') return `${day} * ${DAY_MS} - ${IST_OFFSET_MS} + ${caseOf(REGULAR.openMs)}`
  const size = TIMEFRAME_MS[tf]
  const anchor = off.length === 0 ? `${SESSION_ANCHOR_MS}` : `(${SESSION_ANCHOR_MS} + ${caseOf(0)})`
  return `${col} - (((${col} - ${anchor}) % ${size}) + ${size}) % ${size}`
}

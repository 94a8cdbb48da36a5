import * as E from 'fp-ts/lib/Either.js'
import { splitCsvLine } from '../csv/index.js'
import { addIstDays, type IstDate, istMidnight, istWeekday, parseHhmm } from '../time/index.js'

// The NSE calendar is data, not code: holidays, Muhurat sessions and weekend special sessions come from a CSV
// (columns `date,kind,description,session_open,session_close,source`) that the shell reads and passes in.
// Any weekday not listed is a regular session; any weekend day not listed is closed.

export type CalendarRowKind = 'holiday' | 'muhurat' | 'special_session'

export interface CalendarRow {
  readonly date: IstDate
  readonly kind: CalendarRowKind
  readonly description: string
  /** Seconds after IST midnight; undefined for holidays and sessions whose hours are not announced. */
  readonly openSec: number | undefined
  readonly closeSec: number | undefined
}

export type SessionKind = 'regular' | 'muhurat' | 'special'

export interface Session {
  readonly date: IstDate
  readonly kind: SessionKind
  /** Normal-market bounds, seconds after IST midnight. */
  readonly openSec: number
  readonly closeSec: number
  readonly description: string
}

export const REGULAR_OPEN_SEC = 9 * 3600 + 15 * 60
export const REGULAR_CLOSE_SEC = 15 * 3600 + 30 * 60
export const PRE_OPEN_START_SEC = 9 * 3600

export interface TradingCalendar {
  /** The session on that date, or undefined when the market is closed. */
  readonly sessionOn: (date: IstDate) => Session | undefined
  readonly isTradingDay: (date: IstDate) => boolean
  /** Trading days in [from, to], inclusive, in order. */
  readonly tradingDays: (from: IstDate, to: IstDate) => readonly IstDate[]
  /** The first and last dates the data covers; outside them only the weekday rule applies. */
  readonly coverage: { readonly from: IstDate; readonly to: IstDate } | undefined
}

export interface CalendarParseError {
  readonly _tag: 'CalendarParseError'
  readonly line: number
  readonly reason: string
}

const KINDS: ReadonlySet<string> = new Set(['holiday', 'muhurat', 'special_session'])
const EXPECTED_HEADER = 'date,kind,description,session_open,session_close,source'

/** Parses the calendar CSV. Every malformed line is an error naming the line; nothing is skipped. */
export const parseCalendarCsv = (text: string): E.Either<CalendarParseError, readonly CalendarRow[]> => {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines[0]?.trim() !== EXPECTED_HEADER) {
    return E.left({ _tag: 'CalendarParseError', line: 1, reason: `expected header "${EXPECTED_HEADER}"` })
  }
  const rows: CalendarRow[] = []
  const seen = new Set<string>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    const fail = (reason: string) => E.left<CalendarParseError>({ _tag: 'CalendarParseError', line: i + 1, reason })
    const f = splitCsvLine(line)
    if (f.length !== 6) return fail(`expected 6 fields, found ${f.length}`)
    const [date = '', kind = '', description = '', open = '', close = ''] = f
    if (istMidnight(date) === undefined) return fail(`invalid date "${date}"`)
    if (!KINDS.has(kind)) return fail(`unknown kind "${kind}"`)
    if (seen.has(date)) return fail(`duplicate date ${date}`)
    seen.add(date)
    const openSec = open === '' ? undefined : parseHhmm(open)
    const closeSec = close === '' ? undefined : parseHhmm(close)
    if (open !== '' && openSec === undefined) return fail(`invalid session_open "${open}"`)
    if (close !== '' && closeSec === undefined) return fail(`invalid session_close "${close}"`)
    // Half a session would silently read as "closed" (see `sessionOn`), so it is an error, not a guess.
    if ((openSec === undefined) !== (closeSec === undefined)) {
      return fail('session_open and session_close must both be given or both be empty')
    }
    if (kind === 'holiday' && openSec !== undefined) {
      return fail(`a holiday has no session hours (found ${open}-${close})`)
    }
    if (openSec !== undefined && closeSec !== undefined && closeSec <= openSec) {
      return fail(`session_close ${close} is not after session_open ${open}`)
    }
    rows.push({ date, kind: kind as CalendarRowKind, description, openSec, closeSec })
  }
  return E.right(rows)
}

/** Builds a calendar from rows (see `parseCalendarCsv`). */
export const createTradingCalendar = (rows: readonly CalendarRow[]): TradingCalendar => {
  const byDate = new Map<IstDate, CalendarRow>()
  for (const r of rows) byDate.set(r.date, r)
  const sorted = [...byDate.keys()].sort()
  const coverage =
    sorted.length === 0
      ? undefined
      : { from: `${sorted[0]?.slice(0, 4)}-01-01`, to: `${sorted.at(-1)?.slice(0, 4)}-12-31` }

  const sessionOn = (date: IstDate): Session | undefined => {
    const wd = istWeekday(date)
    if (wd === undefined) return undefined
    const row = byDate.get(date)
    if (row === undefined) {
      if (wd === 0 || wd === 6) return undefined
      return { date, kind: 'regular', openSec: REGULAR_OPEN_SEC, closeSec: REGULAR_CLOSE_SEC, description: '' }
    }
    if (row.kind === 'holiday' || row.openSec === undefined || row.closeSec === undefined) return undefined
    return {
      date,
      kind: row.kind === 'muhurat' ? 'muhurat' : 'special',
      openSec: row.openSec,
      closeSec: row.closeSec,
      description: row.description,
    }
  }

  const tradingDays = (from: IstDate, to: IstDate): readonly IstDate[] => {
    const out: IstDate[] = []
    if (istMidnight(from) === undefined || istMidnight(to) === undefined) return out
    for (let d: IstDate | undefined = from; d !== undefined && d <= to; d = addIstDays(d, 1)) {
      if (sessionOn(d) !== undefined) out.push(d)
    }
    return out
  }

  return { sessionOn, isTradingDay: (d) => sessionOn(d) !== undefined, tradingDays, coverage }
}

// India Standard Time is UTC+05:30 all year (no daylight saving), so IST wall-clock arithmetic is a fixed
// offset on epoch milliseconds. Every time in bahi is epoch ms (UTC); these helpers only read it as IST.

export const IST_OFFSET_MS = 19_800_000
export const MINUTE_MS = 60_000
export const DAY_MS = 86_400_000
const MINUTES_PER_DAY = DAY_MS / MINUTE_MS

/** An IST calendar date, `YYYY-MM-DD`. */
export type IstDate = string

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** The IST calendar date of an instant. */
export const istDateOf = (epochMs: number): IstDate => {
  const d = new Date(epochMs + IST_OFFSET_MS)
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
}

/** Days since 1970-01-01 in IST: a cheap integer key for "same trading day" checks in hot loops. */
export const istDayNumber = (epochMs: number): number => Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS)

/**
 * Minutes since IST midnight (0..1439). 09:15 is 555, 15:30 is 930. Asked on every price of an open position (the
 * square-off check), so it divides and floors instead of taking `%` of an epoch, which is a double past 2^31 and so a
 * call to fmod each time.
 */
export const istMinuteOfDay = (epochMs: number): number => {
  const minutes = Math.floor((epochMs + IST_OFFSET_MS) / MINUTE_MS)
  return minutes - Math.floor(minutes / MINUTES_PER_DAY) * MINUTES_PER_DAY
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/

/** `HH:MM[:SS]` to seconds after midnight, or undefined if malformed. */
export const parseHhmm = (hhmm: string): number | undefined => {
  const m = TIME.exec(hhmm)
  if (!m) return undefined
  const h = Number(m[1])
  const min = Number(m[2])
  const s = m[3] === undefined ? 0 : Number(m[3])
  if (h > 23 || min > 59 || s > 59) return undefined
  return h * 3600 + min * 60 + s
}

/** Epoch ms of an IST date at IST midnight, or undefined if the date is not a real calendar date. */
export const istMidnight = (date: IstDate): number | undefined => {
  const m = DATE.exec(date)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const utc = Date.UTC(y, mo - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined
  return utc - IST_OFFSET_MS
}

/** Epoch ms of an IST wall-clock time, e.g. `istInstant('2025-01-02', '09:15')`. */
export const istInstant = (date: IstDate, hhmm: string): number | undefined => {
  const midnight = istMidnight(date)
  const secs = parseHhmm(hhmm)
  return midnight === undefined || secs === undefined ? undefined : midnight + secs * 1000
}

/** ISO-8601 with the IST offset, e.g. `2025-01-02T09:15:00.000+05:30`. */
export const formatIst = (epochMs: number): string => {
  const d = new Date(epochMs + IST_OFFSET_MS)
  const ms = d.getUTCMilliseconds()
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}` +
    `.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}+05:30`
  )
}

/** Day of week of an IST date: 0 Sunday .. 6 Saturday. */
export const istWeekday = (date: IstDate): number | undefined => {
  const midnight = istMidnight(date)
  return midnight === undefined ? undefined : new Date(midnight + IST_OFFSET_MS).getUTCDay()
}

/** The IST date `days` after `date` (negative goes back). */
export const addIstDays = (date: IstDate, days: number): IstDate | undefined => {
  const midnight = istMidnight(date)
  return midnight === undefined ? undefined : istDateOf(midnight + days * DAY_MS)
}

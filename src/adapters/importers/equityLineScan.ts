import type { LineBar } from './importTypes.js'

// The fast path of the equity 1-minute parser: one forward scan over a line as the set writes it
// (`01-01-2025,09:15:00,8754.05,8767,8551,8630.65,24956,0,1,16669,01-01-0001 00:00:00`), reading date, time, four
// prices, volume and oi digit by digit, with no split into fields and no substring (the three trailing fields are
// only counted). It accepts only what it can read exactly: prices of digits with at most two decimals (integer
// paise, no float), counts of plain digits, and exactly three trailing fields. Anything else (more decimals, spaces,
// signs, empty or missing fields, a date that does not exist...) returns undefined, and the caller reads that line
// with the general code, which gives the same bar or names the exact error. So the fast path changes speed, never a
// result (equity1minCsv.prop.spec.ts holds the two paths to that).

/** The scan's state across the lines of one file: the last date seen and its IST midnight. */
export interface EquityScanState {
  /** The last date seen as YYYYMMDD (-1: none yet) and its IST midnight in epoch ms. */
  dateKey: number
  midnightMs: number
  /** IST midnight of a YYYYMMDD key (memoised), undefined for a date that does not exist. */
  readonly midnight: (key: number) => number | undefined
}

export const equityScanState = (midnight: (key: number) => number | undefined): EquityScanState => ({
  dateKey: -1,
  midnightMs: 0,
  midnight,
})

// A digit's code minus 48 is 0..9; these are the separators' codes minus 48, so each character is read once.
const COMMA = 44 - 48
const DOT = 46 - 48
const DASH = 45 - 48
const COLON = 58 - 48

/** Whole rupees up to 13 digits, times 100, stay far below 2^53, so no paise value can lose precision. */
const MAX_PRICE_DIGITS = 13
/** Counts up to 15 digits are safe integers. */
const MAX_COUNT_DIGITS = 15

/**
 * The bar of the line `text[start, end)` (no line break) when it is in the set's canonical form, else undefined (the
 * caller then reads it the general way). One function with a local cursor: helpers that hand back a position and a
 * value through an object measured about 1.7 times slower. Every step needs a digit or a given separator, and the
 * character at the line's end (`\r`, `\n`, or NaN past the text) is neither, so the scan cannot run past the line.
 */
export const scanEquityLine = (
  text: string,
  start: number,
  end: number,
  line: number,
  instrumentKey: string,
  s: EquityScanState,
): LineBar | undefined => {
  // DD-MM-YYYY,
  const d0 = text.charCodeAt(start) - 48
  const d1 = text.charCodeAt(start + 1) - 48
  const m0 = text.charCodeAt(start + 3) - 48
  const m1 = text.charCodeAt(start + 4) - 48
  const y0 = text.charCodeAt(start + 6) - 48
  const y1 = text.charCodeAt(start + 7) - 48
  const y2 = text.charCodeAt(start + 8) - 48
  const y3 = text.charCodeAt(start + 9) - 48
  if (
    !(d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && m0 >= 0 && m0 <= 9 && m1 >= 0 && m1 <= 9) ||
    !(y0 >= 0 && y0 <= 9 && y1 >= 0 && y1 <= 9 && y2 >= 0 && y2 <= 9 && y3 >= 0 && y3 <= 9) ||
    text.charCodeAt(start + 2) - 48 !== DASH ||
    text.charCodeAt(start + 5) - 48 !== DASH ||
    text.charCodeAt(start + 10) - 48 !== COMMA
  ) {
    return undefined
  }
  const dateKey = (((y0 * 10 + y1) * 10 + y2) * 10 + y3) * 10_000 + (m0 * 10 + m1) * 100 + d0 * 10 + d1
  if (dateKey !== s.dateKey) {
    const ms = s.midnight(dateKey)
    if (ms === undefined) return undefined
    s.dateKey = dateKey
    s.midnightMs = ms
  }
  // HH:MM:SS, or HH:MM,
  let i = start + 11
  const h0 = text.charCodeAt(i) - 48
  const h1 = text.charCodeAt(i + 1) - 48
  const n0 = text.charCodeAt(i + 3) - 48
  const n1 = text.charCodeAt(i + 4) - 48
  if (!(h0 >= 0 && h0 <= 9 && h1 >= 0 && h1 <= 9 && n0 >= 0 && n0 <= 9 && n1 >= 0 && n1 <= 9)) return undefined
  const hour = h0 * 10 + h1
  const minute = n0 * 10 + n1
  if (hour > 23 || minute > 59 || text.charCodeAt(i + 2) - 48 !== COLON) return undefined
  let second = 0
  const afterMinute = text.charCodeAt(i + 5) - 48
  if (afterMinute === COMMA) i += 6
  else {
    const s0 = text.charCodeAt(i + 6) - 48
    const s1 = text.charCodeAt(i + 7) - 48
    if (afterMinute !== COLON || !(s0 >= 0 && s0 <= 9 && s1 >= 0 && s1 <= 9)) return undefined
    second = s0 * 10 + s1
    if (second > 59 || text.charCodeAt(i + 8) - 48 !== COMMA) return undefined
    i += 9
  }
  // open, high, low, close: digits, then at most two decimals, then a comma.
  let open = 0
  let high = 0
  let low = 0
  let close = 0
  for (let k = 0; k < 4; k++) {
    const from = i
    let whole = 0
    let c = text.charCodeAt(i) - 48
    while (c >= 0 && c <= 9) {
      whole = whole * 10 + c
      c = text.charCodeAt(++i) - 48
    }
    if (i === from || i - from > MAX_PRICE_DIGITS) return undefined
    let frac = 0
    if (c === DOT) {
      const f0 = text.charCodeAt(i + 1) - 48
      if (!(f0 >= 0 && f0 <= 9)) return undefined
      frac = f0 * 10
      i += 2
      c = text.charCodeAt(i) - 48
      if (c >= 0 && c <= 9) {
        frac += c
        c = text.charCodeAt(++i) - 48
      }
    }
    if (c !== COMMA) return undefined
    i++
    const paise = whole * 100 + frac
    // Zero is no price: the general path names the field.
    if (paise === 0) return undefined
    if (k === 0) open = paise
    else if (k === 1) high = paise
    else if (k === 2) low = paise
    else close = paise
  }
  // volume, oi: plain digits, then a comma.
  let volume = 0
  let from = i
  let c = text.charCodeAt(i) - 48
  while (c >= 0 && c <= 9) {
    volume = volume * 10 + c
    c = text.charCodeAt(++i) - 48
  }
  if (i === from || i - from > MAX_COUNT_DIGITS || c !== COMMA) return undefined
  let oi = 0
  from = ++i
  c = text.charCodeAt(i) - 48
  while (c >= 0 && c <= 9) {
    oi = oi * 10 + c
    c = text.charCodeAt(++i) - 48
  }
  if (i === from || i - from > MAX_COUNT_DIGITS || c !== COMMA) return undefined
  // exchangecode, symbolcode, expiry: present (exactly two more commas in the line), not read.
  const a = text.indexOf(',', i + 1)
  if (a < 0 || a >= end) return undefined
  const b = text.indexOf(',', a + 1)
  if (b < 0 || b >= end) return undefined
  const extra = text.indexOf(',', b + 1)
  if (extra >= 0 && extra < end) return undefined
  return {
    line,
    instrumentKey,
    timeframe: '1m',
    openMs: s.midnightMs + ((hour * 60 + minute) * 60 + second) * 1000,
    openPaise: open,
    highPaise: high,
    lowPaise: low,
    closePaise: close,
    volume,
    oi,
    flags: 0,
  }
}

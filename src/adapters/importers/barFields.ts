import type { Timeframe } from '../../domain/events/index.js'
import { type PaiseRoundings, paiseInRange } from '../../domain/money/index.js'
import type { LineBar } from './importTypes.js'

// The shared row-building block of the CSV bar formats: a line is split into field bounds in place (no substrings),
// then four prices, volume and open interest are read from their fields into a `LineBar` (or the reason the row
// cannot be read). Text is only cut out of the line to name a bad field in the reason.

/** Offsets of the fields of one line: field k is `text[starts[k], ends[k])`. Reused from line to line. */
export interface FieldBounds {
  readonly starts: Int32Array
  readonly ends: Int32Array
}

export const fieldBounds = (max: number): FieldBounds => ({ starts: new Int32Array(max), ends: new Int32Array(max) })

/**
 * Splits `text[from, to)` at commas into `b` and returns the number of fields (which may exceed the bounds'
 * capacity: only the first fields are recorded, but all are counted, so a wrong count is still reported).
 */
export const splitFields = (text: string, from: number, to: number, b: FieldBounds): number => {
  const cap = b.starts.length
  let n = 0
  let s = from
  for (;;) {
    let c = text.indexOf(',', s)
    if (c < 0 || c > to) c = to
    if (n < cap) {
      b.starts[n] = s
      b.ends[n] = c
    }
    n++
    if (c === to) return n
    s = c + 1
  }
}

/** Field k as text (for reasons and the rare slow path). */
export const fieldText = (text: string, b: FieldBounds, k: number): string =>
  text.slice(b.starts[k] as number, b.ends[k] as number)

/** A non-negative whole number in `text[start, end)` (`203325`, `0`, `1.0`), or NaN; spaces around are allowed. */
export const countInRange = (text: string, start: number, end: number): number => {
  let s = start
  let e = end
  while (s < e && text.charCodeAt(s) === 32) s++
  while (e > s && text.charCodeAt(e - 1) === 32) e--
  let n = 0
  let i = s
  for (; i < e; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    n = n * 10 + d
  }
  if (i === s) return Number.NaN
  if (i < e && text.charCodeAt(i) === 46) for (i++; i < e && text.charCodeAt(i) === 48; i++);
  return i === e && Number.isSafeInteger(n) ? n : Number.NaN
}

/** A whole number field, or undefined (for formats that hand over text). */
export const parseCount = (text: string): number | undefined => {
  const n = countInRange(text, 0, text.length)
  return Number.isNaN(n) ? undefined : n
}

const PRICE_NAMES = ['open', 'high', 'low', 'close'] as const

/** Where a format keeps its bar fields: the open price (high, low, close follow it), volume and oi (-1: absent). */
export interface BarColumns {
  readonly open: number
  readonly volume: number
  readonly oi: number
}

const priceAt = (text: string, b: FieldBounds, k: number, roundings: PaiseRoundings): number => {
  const s = b.starts[k] as number
  const e = b.ends[k] as number
  let p = paiseInRange(text, s, e, roundings)
  if (Number.isNaN(p)) {
    // Not plain decimal text: allow surrounding spaces before calling it a bad price.
    const t = text.slice(s, e).trim()
    p = t === '' ? Number.NaN : paiseInRange(t, 0, t.length, roundings)
  }
  return p
}

/** The bar of one split line, or the reason it cannot be read. */
export const barFromFields = (
  line: number,
  instrumentKey: string,
  timeframe: Timeframe,
  openMs: number,
  text: string,
  b: FieldBounds,
  cols: BarColumns,
  roundings: PaiseRoundings,
): LineBar | string => {
  const o = priceAt(text, b, cols.open, roundings)
  const h = priceAt(text, b, cols.open + 1, roundings)
  const l = priceAt(text, b, cols.open + 2, roundings)
  const c = priceAt(text, b, cols.open + 3, roundings)
  if (!(o > 0 && h > 0 && l > 0 && c > 0)) {
    const prices = [o, h, l, c]
    for (let k = 0; k < 4; k++) {
      const p = prices[k] as number
      const raw = fieldText(text, b, cols.open + k)
      if (Number.isNaN(p)) return `${PRICE_NAMES[k]} "${raw}" is not a number`
      if (p <= 0) return `${PRICE_NAMES[k]} ${raw} is not a positive price`
    }
  }
  const v = cols.volume < 0 || b.starts[cols.volume] === b.ends[cols.volume] ? 0 : countAt(text, b, cols.volume)
  if (Number.isNaN(v)) return `volume "${fieldText(text, b, cols.volume).trim()}" is not a whole number`
  const oi = cols.oi < 0 || b.starts[cols.oi] === b.ends[cols.oi] ? 0 : countAt(text, b, cols.oi)
  if (Number.isNaN(oi)) return `oi "${fieldText(text, b, cols.oi).trim()}" is not a whole number`
  return {
    line,
    instrumentKey,
    timeframe,
    openMs,
    openPaise: o,
    highPaise: h,
    lowPaise: l,
    closePaise: c,
    volume: v,
    oi,
    flags: 0,
  }
}

const countAt = (text: string, b: FieldBounds, k: number): number =>
  countInRange(text, b.starts[k] as number, b.ends[k] as number)

export type Roundings = PaiseRoundings

const TEXT_COLUMNS: BarColumns = { open: 0, volume: 4, oi: 5 }
const textBounds = fieldBounds(6)

/** The same bar from fields already cut out as text (formats that parse JSON or quoted CSV), same reasons. */
export const barFromText = (
  line: number,
  instrumentKey: string,
  timeframe: Timeframe,
  openMs: number,
  prices: readonly [string, string, string, string],
  volume: string,
  oi: string,
  roundings: Roundings,
): LineBar | string => {
  // Fields that hold a comma cannot be split back apart, and no number holds one.
  for (const f of [...prices, volume, oi]) if (f.includes(',')) return `"${f}" is not a number`
  const row = `${prices[0]},${prices[1]},${prices[2]},${prices[3]},${volume},${oi}`
  splitFields(row, 0, row.length, textBounds)
  return barFromFields(line, instrumentKey, timeframe, openMs, row, textBounds, TEXT_COLUMNS, roundings)
}

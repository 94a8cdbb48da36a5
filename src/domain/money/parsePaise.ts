// Prices arrive as decimal text in INR (bar files, tick files). Read digit by digit, a price with at most two
// decimals becomes integer paise exactly, with no float in between. More decimals (float noise such as
// `24876.599609375`) are rounded to the nearest paisa, half away from zero, and the caller counts the rounding:
// nothing is rounded silently. One reader for every file format, so they all round alike.

export interface ParsedPaise {
  readonly paise: number
  /** True when the text had digits below the paisa and was rounded. */
  readonly rounded: boolean
}

/** A running count of roundings, kept by the caller (one per file). */
export interface PaiseRoundings {
  n: number
}

const DIGIT_0 = 48
const MINUS = 45
const PLUS = 43
const DOT = 46

/**
 * The hot path: `text[start, end)` as plain decimal text (`[+-]digits[.digits]`, no spaces) to paise, or NaN when
 * it is anything else. Allocates nothing, so a parser can read fields in place without slicing lines. A rounding
 * adds 1 to `roundings.n`.
 */
export const paiseInRange = (text: string, start: number, end: number, roundings: PaiseRoundings): number => {
  let i = start
  let negative = false
  const c0 = text.charCodeAt(i)
  if (c0 === MINUS) {
    negative = true
    i++
  } else if (c0 === PLUS) i++
  let whole = 0
  let digits = 0
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - DIGIT_0
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
    digits++
  }
  let frac = 0
  let rounded = false
  if (i < end && text.charCodeAt(i) === DOT) {
    i++
    let fracDigits = 0
    let firstBelow = -1
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - DIGIT_0
      if (d < 0 || d > 9) break
      digits++
      if (fracDigits < 2) {
        frac = frac * 10 + d
        fracDigits++
      } else {
        // Only the first digit below the paisa decides half-up; any later non-zero digit only marks the rounding.
        if (firstBelow < 0) firstBelow = d
        if (d !== 0) rounded = true
      }
    }
    if (fracDigits === 1) frac *= 10
    if (rounded && firstBelow >= 5) frac += 1
  }
  if (digits === 0 || i !== end) return Number.NaN
  const paise = whole * 100 + frac
  if (!Number.isSafeInteger(paise)) return Number.NaN
  // Counted only for text that is a number: a caller may retry a refused field another way.
  if (rounded) roundings.n++
  return negative && paise !== 0 ? -paise : paise
}

const SCIENTIFIC = /^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$/

/**
 * `"1221.25"` -> 122125; `"24876.599609375"` -> 2487660 (rounded); surrounding spaces allowed; scientific notation
 * (`1.2e3`) is legal number text and is read through a float, rounded like the rest; undefined for anything that is
 * not a number.
 */
export const parsePaise = (text: string): ParsedPaise | undefined => {
  const s = text.trim()
  const count: PaiseRoundings = { n: 0 }
  const paise = paiseInRange(s, 0, s.length, count)
  if (!Number.isNaN(paise)) return { paise, rounded: count.n > 0 }
  if (!SCIENTIFIC.test(s)) return undefined
  const f = Number(s)
  if (!Number.isFinite(f)) return undefined
  const exact = f * 100
  const r = Math.round(Math.abs(exact))
  return { paise: f < 0 && r !== 0 ? -r : r, rounded: Math.abs(exact - Math.round(exact)) > 1e-6 }
}

// Prices arrive as decimal text in INR. Parsed digit by digit, a price with at most two decimals becomes integer
// paise exactly, with no float in between. More decimals (float noise such as `24876.599609375`) are rounded to the
// nearest paisa, half away from zero, and the caller counts the rounding: nothing is rounded silently.

export interface ParsedPaise {
  readonly paise: number
  /** True when the text had digits below the paisa and was rounded. */
  readonly rounded: boolean
}

const DIGIT_0 = 48

/** `"1221.25"` -> 122125; `"24876.599609375"` -> 2487660 (rounded); undefined for anything that is not a number. */
export const parsePaise = (text: string): ParsedPaise | undefined => {
  const s = text.trim()
  let i = 0
  let negative = false
  if (s.charCodeAt(0) === 45) {
    negative = true
    i = 1
  } else if (s.charCodeAt(0) === 43) i = 1
  let whole = 0
  let digits = 0
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - DIGIT_0
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
    digits++
  }
  let frac = 0
  let fracDigits = 0
  let rounded = false
  if (i < s.length && s.charCodeAt(i) === 46) {
    i++
    let rest = 0
    let restScale = 1
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i) - DIGIT_0
      if (d < 0 || d > 9) break
      if (fracDigits < 2) {
        frac = frac * 10 + d
        fracDigits++
      } else {
        // Only the first digit below the paisa decides half-up; any later digit only marks it as rounded.
        if (restScale === 1) rest = d
        restScale *= 10
        if (d !== 0) rounded = true
      }
      digits++
    }
    if (fracDigits === 1) frac *= 10
    if (rounded && rest >= 5) frac += 1
  }
  if (digits === 0 || i !== s.length) {
    // Scientific notation (`1.2e3`) is legal number text; take the float path and round like the rest.
    const f = Number(s)
    if (s === '' || !Number.isFinite(f)) return undefined
    const exact = f * 100
    const r = Math.round(Math.abs(exact))
    return { paise: f < 0 && r !== 0 ? -r : r, rounded: Math.abs(exact - Math.round(exact)) > 1e-6 }
  }
  const paise = whole * 100 + frac
  if (!Number.isSafeInteger(paise)) return undefined
  return { paise: negative && paise !== 0 ? -paise : paise, rounded }
}

/** A non-negative whole number (volume, open interest); undefined otherwise. `"203325"`, `"0"`, `"1.0"`. */
export const parseCount = (text: string): number | undefined => {
  const s = text.trim()
  if (!/^\d+(\.0*)?$/.test(s)) return undefined
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : undefined
}

import { IST_OFFSET_MS } from '../../domain/time/index.js'

// Field readers shared by the tick-file parsers: timestamps to epoch ms, whole quantities (prices go through the
// domain's `parsePaise`). Each returns undefined for text it cannot read.

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * `YYYY-MM-DD HH:MM:SS[.fraction][offset]` to epoch ms. Without an offset the wall clock is read as `naiveZone`
 * (IST or UTC); fractions below the millisecond are truncated. A stated offset must be the one the format promises
 * (`expectOffsetMin`), else the stamp is refused: a file that changed zone must not be read silently.
 */
export const parseStamp = (
  text: string,
  naiveZone: 'IST' | 'UTC',
  expectOffsetMin: number | 'none',
): number | undefined => {
  const m = STAMP.exec(text.trim())
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, frac, off] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'))
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  if (new Date(utc).getUTCDate() !== day) return undefined
  if (off === undefined) {
    if (expectOffsetMin !== 'none') return undefined
    return naiveZone === 'IST' ? utc - IST_OFFSET_MS : utc
  }
  if (expectOffsetMin === 'none') return undefined
  let offsetMin = 0
  if (off !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1
    const digits = off.slice(1).replace(':', '')
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'))
  }
  if (offsetMin !== expectOffsetMin) return undefined
  return utc - offsetMin * 60_000
}

const INT = /^\d+$/

/** A non-negative whole number, or undefined. */
export const parseCount = (text: string): number | undefined => {
  const s = text.trim()
  if (!INT.test(s)) return undefined
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Splits text into lines (LF or CRLF; a leading BOM dropped). */
export const linesOf = (text: string): string[] => text.replace(/^\uFEFF/, '').split(/\r?\n/)

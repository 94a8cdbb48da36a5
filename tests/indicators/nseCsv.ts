import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// A tiny reader for the real 1-minute files (`equity-1min-2025/5Scripts/<SYMBOL>/<DD-MM-YYYY>.csv`): a UTF-8 BOM,
// CRLF lines, header `date,time,open,high,low,close,volume,...`; times are IST wall clock.

export interface Bars {
  readonly tsMs: Float64Array
  readonly open: Float64Array
  readonly high: Float64Array
  readonly low: Float64Array
  readonly close: Float64Array
  readonly volume: Float64Array
  readonly length: number
}

const IST_OFFSET_MS = 19_800_000

const sortKey = (file: string): string => {
  const [d, m, y] = file.replace(/\.csv$/, '').split('-')
  return `${y}-${m}-${d}`
}

/** Day files of a symbol folder, in date order. */
export const dayFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /^\d\d-\d\d-\d{4}\.csv$/.test(f))
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
    .map((f) => join(dir, f))

/** All bars of the given files, concatenated in order. */
export const readBars = (files: readonly string[]): Bars => {
  const rows: number[][] = []
  for (const f of files) {
    const lines = readFileSync(f, 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]
      if (line === undefined || line.trim() === '') continue
      const c = line.split(',')
      const [dd, mm, yyyy] = (c[0] ?? '').split('-').map(Number)
      const [hh, mi, ss] = (c[1] ?? '').split(':').map(Number)
      const ts = Date.UTC(yyyy ?? 0, (mm ?? 1) - 1, dd ?? 1, hh ?? 0, mi ?? 0, ss ?? 0) - IST_OFFSET_MS
      rows.push([ts, Number(c[2]), Number(c[3]), Number(c[4]), Number(c[5]), Number(c[6])])
    }
  }
  const n = rows.length
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n))
  rows.forEach((r, i) => {
    for (let k = 0; k < 6; k++) (cols[k] as Float64Array)[i] = r[k] as number
  })
  const [tsMs, open, high, low, close, volume] = cols as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ]
  return { tsMs, open, high, low, close, volume, length: n }
}

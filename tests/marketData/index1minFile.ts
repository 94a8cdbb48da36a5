import { readFileSync } from 'node:fs'

// A small reader for the 1-minute NIFTY/BANKNIFTY files of `index-1min-2021-2022/data/<YYYY> <MON> <SYM>.txt`
// (no header: `symbol,YYYYMMDD,HH:MM,open,high,low,close,volume,oi`, IST). Those bars are labelled by their END
// minute (SOURCES.md): the bar `09:16` covers [09:15:00, 09:16:00). This reader re-labels every bar by its start,
// so it compares directly with bahi's bars. Test fixture only: the full importer lives in src/adapters/importers.

export interface MinuteClose {
  /** Bar start, epoch ms. */
  readonly openMs: number
  readonly closePaise: number
}

const IST_OFFSET_MS = 19_800_000

/** Bars of one IST date (`YYYY-MM-DD`) whose START is in [09:15, 15:30) IST, keyed by start epoch ms. */
export const readRegularMinuteCloses = (path: string, date: string): Map<number, number> => {
  const ymd = date.replaceAll('-', '')
  const out = new Map<number, number>()
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const f = line.split(',')
    if (f[1] !== ymd) continue
    const [hh, mm] = (f[2] ?? '').split(':').map(Number)
    const endMinute = (hh ?? 0) * 60 + (mm ?? 0)
    const startMinute = endMinute - 1
    if (startMinute < 9 * 60 + 15 || startMinute >= 15 * 60 + 30) continue
    const y = Number(ymd.slice(0, 4))
    const mo = Number(ymd.slice(4, 6))
    const d = Number(ymd.slice(6, 8))
    const openMs = Date.UTC(y, mo - 1, d, 0, startMinute) - IST_OFFSET_MS
    out.set(openMs, Math.round(Number(f[6]) * 100))
  }
  return out
}

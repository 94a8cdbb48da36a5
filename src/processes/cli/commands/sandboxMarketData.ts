import { readFileSync, statSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import {
  describeImportPathError,
  listDataFiles,
  loadSymbolTable,
  parseMarketFile,
} from '../../../adapters/importers/index.js'
import { type BarRow, describeMarketStoreError, openMarketReader } from '../../../adapters/marketStore/index.js'
import type { SyntheticInstrument } from '../../../adapters/synthetic/index.js'
import type { BarDays } from '../../../adapters/upstoxSandbox/index.js'
import type { TradingCalendar } from '../../../domain/calendar/index.js'
import type { BarClosed, EventDraft } from '../../../domain/events/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import { PricePaise } from '../../../domain/money/index.js'
import { istDateOf } from '../../../domain/time/index.js'
import { packagedSymbolsPath, sealedMarketDir } from '../home.js'

// `bahi sandbox --data store|<file or dir>`: recorded 1-minute bars as the sandbox's market instead of the synthetic
// one. `store` reads the market store's sealed Parquet days through `openMarketReader`, so a running market-data
// writer is never blocked (DuckDB would refuse a second process on the store file). A file or directory is parsed
// with the importers, as `bahi import` would, without touching the store. Either way the bars are grouped into
// sessions by IST date and handed to the sandbox, which replays them tick by tick.

export interface SandboxMarketData {
  readonly instruments: readonly SyntheticInstrument[]
  readonly days: BarDays
  readonly sessions: number
  readonly bars: number
}

/** What the replay needs of a stored or parsed bar. */
type Bar = Pick<BarRow, 'instrumentKey' | 'openMs' | 'openPaise' | 'highPaise' | 'lowPaise' | 'closePaise' | 'volume'>

/** 1-minute bars -> sessions (by IST date, oldest first) and one replay instrument per key. */
export const sandboxMarketFromBars = (bars: readonly Bar[]): E.Either<string, SandboxMarketData> => {
  const byDate = new Map<string, EventDraft<BarClosed>[]>()
  const perKey = new Map<InstrumentKey, { bars: number; volume: number; firstOpen: number; firstMs: number }>()
  for (const b of bars) {
    if (!InstrumentKey.is(b.instrumentKey)) return E.left(`invalid instrument key ${JSON.stringify(b.instrumentKey)}`)
    const key = b.instrumentKey
    const [o, h, l, c] = [b.openPaise, b.highPaise, b.lowPaise, b.closePaise]
    if (!PricePaise.is(o) || !PricePaise.is(h) || !PricePaise.is(l) || !PricePaise.is(c)) continue
    const date = istDateOf(b.openMs)
    let day = byDate.get(date)
    if (day === undefined) byDate.set(date, (day = []))
    day.push({
      type: 'BarClosed',
      ts: b.openMs + 60_000,
      payload: {
        instrumentKey: key,
        timeframe: '1m',
        openMs: b.openMs,
        openPaise: o,
        highPaise: h,
        lowPaise: l,
        closePaise: c,
        volume: b.volume,
      },
    })
    const k = perKey.get(key)
    if (k === undefined) perKey.set(key, { bars: 1, volume: b.volume, firstOpen: o, firstMs: b.openMs })
    else {
      k.bars++
      k.volume += b.volume
      if (b.openMs < k.firstMs) {
        k.firstMs = b.openMs
        k.firstOpen = o
      }
    }
  }
  if (byDate.size === 0) return E.left('no 1-minute bars found')
  const sessions = [...byDate.keys()].sort().map((d) => {
    const day = byDate.get(d) ?? []
    day.sort(
      (a, b) => a.payload.openMs - b.payload.openMs || (a.payload.instrumentKey < b.payload.instrumentKey ? -1 : 1),
    )
    return day
  })
  // The replay sizes each session by its first instrument's bars: put the instrument with the most bars first.
  const instruments: SyntheticInstrument[] = [...perKey]
    .sort(([ka, a], [kb, b]) => b.bars - a.bars || (ka < kb ? -1 : 1))
    .map(([instrumentKey, k]) => ({
      instrumentKey,
      symbol: instrumentKey.slice(instrumentKey.indexOf('|') + 1),
      startPricePaise: k.firstOpen,
      annualVol: 0.2,
      avgMinuteVolume: Math.max(1, Math.round(k.volume / k.bars)),
    }))
  let bars1m = 0
  for (const s of sessions) bars1m += s.length
  return E.right({ instruments, days: sessions[Symbol.iterator](), sessions: sessions.length, bars: bars1m })
}

/** The bars of a file or a directory of files, parsed with the importers (policy `skip`: bad rows are left out). */
export const sandboxMarketFromFiles = (
  path: string,
  calendar: TradingCalendar,
  fromMs?: number,
): E.Either<string, SandboxMarketData> => {
  try {
    statSync(path)
  } catch {
    return E.left(`--data ${path} does not exist`)
  }
  const symbols = loadSymbolTable(packagedSymbolsPath())
  if (E.isLeft(symbols)) return E.left(describeImportPathError(symbols.left))
  const bars: Bar[] = []
  for (const file of listDataFiles(path)) {
    const parsed = parseMarketFile(file, readFileSync(file, 'utf8'), {
      policy: 'skip',
      symbolKeys: symbols.right,
      calendar,
    })
    if (E.isLeft(parsed)) return E.left(`${file} line ${parsed.left.line}: ${parsed.left.reason}`)
    for (const b of parsed.right.bars) if (b.timeframe === '1m' && b.openMs >= (fromMs ?? 0)) bars.push(b)
  }
  return sandboxMarketFromBars(bars)
}

/** The sealed 1-minute bars of the market store under `home`, from `fromMs` on. */
export const sandboxMarketFromStore = async (
  home: string,
  fromMs?: number,
): Promise<E.Either<string, SandboxMarketData>> => {
  const dir = sealedMarketDir(home)
  const reader = await openMarketReader(dir)
  if (E.isLeft(reader)) return E.left(`${describeMarketStoreError(reader.left)} (run "bahi data seal" first)`)
  try {
    const stream = await reader.right.streamBars({
      instrumentKeys: [],
      timeframe: '1m',
      ...(fromMs === undefined ? {} : { fromMs }),
    })
    if (E.isLeft(stream)) return E.left(describeMarketStoreError(stream.left))
    const bars: Bar[] = []
    for await (const batch of stream.right) for (const b of batch) bars.push(b.payload)
    return sandboxMarketFromBars(bars)
  } catch (e) {
    return E.left(`market store read failed: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    reader.right.close()
  }
}

import * as E from 'fp-ts/lib/Either.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { parsePaise } from '../../domain/money/index.js'
import type { InstrumentRow } from '../marketStore/index.js'
import { type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'

// The Upstox instrument master (the BOD JSON, e.g. `NSE.json` / `complete.json` unzipped): an array of objects with
// `instrument_key, exchange, segment, trading_symbol, name, isin, lot_size, tick_size, instrument_type, expiry,
// strike_price` (and more, ignored). `tick_size` is in paise in that file (5.0 = 0.05 INR); `expiry` is epoch ms;
// `strike_price` is INR. "Line" numbers are array positions (1-based).

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const str = (o: Record<string, unknown>, k: string): string | null =>
  typeof o[k] === 'string' ? (o[k] as string) : null
const num = (o: Record<string, unknown>, k: string): number | null | undefined => {
  const v = o[k]
  if (v === undefined || v === null || v === '') return null
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

export const parseUpstoxInstrumentsJson = (text: string): E.Either<ParseFailure, ParsedFile> => {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    return E.left(parseFailure(1, `not JSON: ${e instanceof Error ? e.message : String(e)}`))
  }
  if (!Array.isArray(doc)) return E.left(parseFailure(1, 'expected a JSON array of instruments'))
  const rows: InstrumentRow[] = []
  let roundings = 0
  const seen = new Set<string>()
  let duplicates = 0
  for (let i = 0; i < doc.length; i++) {
    const o: unknown = doc[i]
    const at = i + 1
    if (!isRecord(o)) return E.left(parseFailure(at, 'an instrument is a JSON object'))
    const key = str(o, 'instrument_key')
    if (key === null || !InstrumentKey.is(key))
      return E.left(parseFailure(at, `invalid instrument_key ${JSON.stringify(o.instrument_key)}`))
    const exchange = str(o, 'exchange')
    const segment = str(o, 'segment')
    const symbol = str(o, 'trading_symbol')
    if (exchange === null || segment === null || symbol === null) {
      return E.left(parseFailure(at, 'exchange, segment and trading_symbol are required strings'))
    }
    const lot = num(o, 'lot_size')
    const tick = num(o, 'tick_size')
    const expiry = num(o, 'expiry')
    const strike = num(o, 'strike_price')
    if (lot === undefined || tick === undefined || expiry === undefined || strike === undefined) {
      return E.left(parseFailure(at, 'lot_size, tick_size, expiry and strike_price must be numbers when present'))
    }
    let strikePaise: number | null = null
    if (strike !== null) {
      const p = parsePaise(String(strike))
      if (p === undefined) return E.left(parseFailure(at, `invalid strike_price ${strike}`))
      if (p.rounded) roundings++
      strikePaise = p.paise
    }
    if (seen.has(key)) {
      duplicates++
      continue
    }
    seen.add(key)
    rows.push({
      instrumentKey: key,
      exchange,
      segment,
      tradingSymbol: symbol,
      name: str(o, 'name'),
      isin: str(o, 'isin'),
      lotSize: lot === null ? null : Math.round(lot),
      tickSizePaise: tick === null ? null : Math.round(tick),
      instrumentType: str(o, 'instrument_type'),
      expiryMs: expiry === null ? null : Math.round(expiry),
      strikePaise,
    })
  }
  return E.right({
    format: 'upstox-instruments-json',
    rowsRead: doc.length,
    bars: [],
    instruments: rows,
    issues: [],
    floatNoiseRoundings: roundings,
    ignoredRows: duplicates,
  })
}

import type { SyntheticInstrument } from '../synthetic/index.js'

// The instrument master (the JSON Upstox publishes as `complete.json.gz`) for the sandbox's instruments, and the
// lookups the quote endpoints need (`NSE_EQ|INE002A01018` <-> `NSE_EQ:RELIANCE`).

const EXCHANGE_TOKENS: Readonly<Record<string, string>> = {
  RELIANCE: '2885',
  TCS: '11536',
  HDFCBANK: '1333',
  INFY: '1594',
  ICICIBANK: '4963',
}

export const segmentOf = (instrumentKey: string): string => instrumentKey.split('|')[0] ?? ''
export const exchangeOf = (instrumentKey: string): string => segmentOf(instrumentKey).split('_')[0] ?? ''
/** The key quotes are reported under: `NSE_EQ:RELIANCE`. */
export const quoteKeyOf = (i: SyntheticInstrument): string => `${segmentOf(i.instrumentKey)}:${i.symbol}`

export const instrumentMasterRow = (i: SyntheticInstrument, index: number) => ({
  segment: segmentOf(i.instrumentKey),
  name: i.symbol,
  exchange: exchangeOf(i.instrumentKey),
  isin: i.instrumentKey.split('|')[1] ?? '',
  instrument_type: 'EQ',
  instrument_key: i.instrumentKey,
  lot_size: 1,
  freeze_quantity: 100000.0,
  exchange_token: EXCHANGE_TOKENS[i.symbol] ?? String(90000 + index),
  tick_size: 5.0,
  trading_symbol: i.symbol,
  short_name: i.symbol,
  security_type: 'NORMAL',
})

import { Adx, type AdxState } from './adx.js'
import { Atr, type AtrState } from './atr.js'
import { Bollinger, type BollingerState } from './bollinger.js'
import { Ema, type EmaState } from './ema.js'
import { Macd, type MacdState } from './macd.js'
import { Obv, type ObvState } from './obv.js'
import { Highest, Lowest, type RollingExtremeState } from './rollingExtreme.js'
import { Rsi, type RsiState } from './rsi.js'
import { Sma, type SmaState } from './sma.js'
import { Supertrend, type SupertrendState } from './supertrend.js'
import { Vwap, type VwapState } from './vwap.js'
import { Wma, type WmaState } from './wma.js'

// Every indicator serializes itself with `toJSON()` (so `JSON.stringify` of a strategy state holding indicators just
// works) to a plain record tagged with `kind`; `restoreIndicator` turns such a record back into a live instance.
// The states are trusted data (our own snapshots, already decoded as a snapshot); they are not re-validated here.

export type IndicatorState =
  | SmaState
  | EmaState
  | WmaState
  | RsiState
  | MacdState
  | AtrState
  | AdxState
  | BollingerState
  | VwapState
  | SupertrendState
  | ObvState
  | RollingExtremeState

export type AnyIndicator =
  | Sma
  | Ema
  | Wma
  | Rsi
  | Macd
  | Atr
  | Adx
  | Bollinger
  | Vwap
  | Supertrend
  | Obv
  | Highest
  | Lowest

export const restoreIndicator = (s: IndicatorState): AnyIndicator => {
  switch (s.kind) {
    case 'sma':
      return Sma.fromJSON(s)
    case 'ema':
      return Ema.fromJSON(s)
    case 'wma':
      return Wma.fromJSON(s)
    case 'rsi':
      return Rsi.fromJSON(s)
    case 'macd':
      return Macd.fromJSON(s)
    case 'atr':
      return Atr.fromJSON(s)
    case 'adx':
      return Adx.fromJSON(s)
    case 'bollinger':
      return Bollinger.fromJSON(s)
    case 'vwap':
      return Vwap.fromJSON(s)
    case 'supertrend':
      return Supertrend.fromJSON(s)
    case 'obv':
      return Obv.fromJSON(s)
    case 'highest':
      return Highest.fromJSON(s)
    case 'lowest':
      return Lowest.fromJSON(s)
    default: {
      const never: never = s
      throw new Error(`unknown indicator state ${JSON.stringify(never)}`)
    }
  }
}

// Market regime from trend strength (ADX) and volatility (ATR as a percentage of price, Bollinger band width).
//
//   volatile  when atrPct >= volatileAtrPct or bbWidth >= volatileBbWidth   (volatility first: it changes risk)
//   trending  else when adx >= trendingAdx
//   ranging   else when adx <= rangingAdx
//   (between rangingAdx and trendingAdx the ADX is ambiguous: `previous` is kept if it was trending or ranging, a
//    hysteresis band that stops the label flickering; otherwise ranging)
//   unknown   when any input is NaN (indicators warming)
//
// Defaults are for 1-minute bars of liquid NSE stocks (a minute's ATR is typically 0.03-0.15% of price, a 20-bar
// 2σ band 0.2-0.8% wide); daily bars need larger volatility thresholds (e.g. ATR 3%, width 0.10). Pure: no state
// beyond the `previous` label the caller passes in.

export type Regime = 'trending' | 'ranging' | 'volatile' | 'unknown'

export interface RegimeThresholds {
  /** ADX at or above which the market trends (Wilder's 25). */
  readonly trendingAdx: number
  /** ADX at or below which the market ranges (20). */
  readonly rangingAdx: number
  /** ATR / close * 100 at or above which the market is volatile. */
  readonly volatileAtrPct: number
  /** Bollinger `(upper - lower) / middle` at or above which the market is volatile. */
  readonly volatileBbWidth: number
}

export const DEFAULT_REGIME_THRESHOLDS: RegimeThresholds = {
  trendingAdx: 25,
  rangingAdx: 20,
  volatileAtrPct: 0.25,
  volatileBbWidth: 0.015,
}

/** ATR as a percentage of price. */
export const atrPercent = (atr: number, close: number): number => (close > 0 ? (100 * atr) / close : Number.NaN)

export const classifyRegime = (
  adx: number,
  atrPct: number,
  bbWidth: number,
  thresholds: RegimeThresholds = DEFAULT_REGIME_THRESHOLDS,
  previous: Regime = 'unknown',
): Regime => {
  if (Number.isNaN(adx) || Number.isNaN(atrPct) || Number.isNaN(bbWidth)) return 'unknown'
  if (atrPct >= thresholds.volatileAtrPct || bbWidth >= thresholds.volatileBbWidth) return 'volatile'
  if (adx >= thresholds.trendingAdx) return 'trending'
  if (adx <= thresholds.rangingAdx) return 'ranging'
  return previous === 'trending' ? 'trending' : 'ranging'
}

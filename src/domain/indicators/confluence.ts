// Confluence: several indicators agreeing. Each indicator casts a vote in [-1, 1] (+1 bullish, -1 bearish, 0 no view,
// NaN still warming) and has a weight >= 0. The score is the weighted mean of the votes that are not NaN:
//
//   score = Σ w_i v_i / Σ w_i   over i with v_i not NaN and w_i > 0
//
// It lies in [-1, 1]; NaN when no weighted vote is available. Votes and weights are parallel array-likes, so a caller
// on the hot path can keep two preallocated Float64Arrays and fill them per bar: nothing is allocated.

/** Weighted mean of the available votes; NaN when none is available. Votes are clamped to [-1, 1]. */
export const confluenceScore = (votes: ArrayLike<number>, weights: ArrayLike<number>): number => {
  let num = 0
  let den = 0
  const n = Math.min(votes.length, weights.length)
  for (let i = 0; i < n; i++) {
    const v = votes[i] as number
    const w = weights[i] as number
    if (Number.isNaN(v) || !(w > 0)) continue
    num += w * (v > 1 ? 1 : Math.max(v, -1))
    den += w
  }
  return den > 0 ? num / den : Number.NaN
}

/**
 * The share of the available weight that votes with the score's sign (0..1), NaN when no vote is available. 1 means
 * every available indicator points the same way; a score of 0.2 with agreement 1 is a weak but unanimous view.
 */
export const confluenceAgreement = (votes: ArrayLike<number>, weights: ArrayLike<number>): number => {
  const score = confluenceScore(votes, weights)
  if (Number.isNaN(score)) return Number.NaN
  const side = score > 0 ? 1 : score < 0 ? -1 : 0
  let agree = 0
  let den = 0
  const n = Math.min(votes.length, weights.length)
  for (let i = 0; i < n; i++) {
    const v = votes[i] as number
    const w = weights[i] as number
    if (Number.isNaN(v) || !(w > 0)) continue
    den += w
    if ((v > 0 ? 1 : v < 0 ? -1 : 0) === side) agree += w
  }
  return agree / den
}

// Ready-made votes. Each returns NaN when an input is NaN (a warming indicator abstains).

/** +1 when `price` is above `level` (a moving average, VWAP, ...), -1 below, 0 equal. */
export const voteAbove = (price: number, level: number): number =>
  Number.isNaN(price) || Number.isNaN(level) ? Number.NaN : price > level ? 1 : price < level ? -1 : 0

/** Sign of a value (MACD histogram, a slope, ...). */
export const voteSign = (x: number): number => (Number.isNaN(x) ? Number.NaN : x > 0 ? 1 : x < 0 ? -1 : 0)

/** RSI as mean reversion: +1 at or below `oversold`, -1 at or above `overbought`, linear in between (0 at the mid). */
export const voteRsiReversion = (rsi: number, oversold = 30, overbought = 70): number => {
  if (Number.isNaN(rsi)) return Number.NaN
  if (rsi <= oversold) return 1
  if (rsi >= overbought) return -1
  const mid = (oversold + overbought) / 2
  return (mid - rsi) / (mid - oversold)
}

/** +DI against -DI, scaled by trend strength: `sign(+DI - -DI) * min(1, adx / strongAdx)`. */
export const voteDirectional = (adx: number, plusDi: number, minusDi: number, strongAdx = 25): number => {
  if (Number.isNaN(adx) || Number.isNaN(plusDi) || Number.isNaN(minusDi)) return Number.NaN
  const side = plusDi > minusDi ? 1 : plusDi < minusDi ? -1 : 0
  const strength = adx >= strongAdx ? 1 : adx / strongAdx
  return side * strength
}

import * as t from 'io-ts'

// Money is integer paise everywhere positions, cash, PnL and fees are kept, so sums are exact and a fold
// is byte-for-byte reproducible. Floats (INR) exist only at the edges and in indicators.

export interface PaiseBrand {
  readonly Paise: unique symbol
}
/** An amount of money in integer paise (1 INR = 100 paise); may be negative. */
export const Paise = t.brand(t.number, (n): n is t.Branded<number, PaiseBrand> => Number.isSafeInteger(n), 'Paise')
export type Paise = t.TypeOf<typeof Paise>

export interface PricePaiseBrand {
  readonly PricePaise: unique symbol
}
/** A price in integer paise, strictly positive. */
export const PricePaise = t.brand(
  t.number,
  (n): n is t.Branded<number, PricePaiseBrand> => Number.isSafeInteger(n) && n > 0,
  'PricePaise',
)
export type PricePaise = t.TypeOf<typeof PricePaise>

export interface QtyBrand {
  readonly Qty: unique symbol
}
/** A strictly positive whole quantity (shares, or units of a lot-sized contract). */
export const Qty = t.brand(t.number, (n): n is t.Branded<number, QtyBrand> => Number.isSafeInteger(n) && n > 0, 'Qty')
export type Qty = t.TypeOf<typeof Qty>

/** NSE equities trade in steps of 0.05 INR. */
export const DEFAULT_TICK_PAISE = 5

/**
 * Rounds half away from zero, so a negative amount rounds exactly like its positive mirror (`Math.round` alone
 * rounds -12.5 to -12 but 12.5 to 13), and never returns `-0`.
 */
const roundHalfAway = (x: number): number => {
  const r = Math.round(Math.abs(x))
  return x < 0 && r !== 0 ? -r : r
}

/**
 * INR (as a float from a feed or file) to integer paise, rounded to the nearest paisa (half away from zero).
 * `1221.2500000001` and `1221.2499999` both give 122125; `inrToPaise(-x) === -inrToPaise(x)`.
 */
export const inrToPaise = (inr: number): number => roundHalfAway(inr * 100)

/** Paise to INR for display and reports only; never fold with the result. */
export const paiseToInr = (paise: number): number => paise / 100

/** True when the price sits on the instrument's tick grid. */
export const isOnTick = (pricePaise: number, tickPaise: number = DEFAULT_TICK_PAISE): boolean =>
  pricePaise % tickPaise === 0

/** Rounds to the nearest tick (half away from zero, which for positive prices is half up). */
export const roundToTick = (pricePaise: number, tickPaise: number = DEFAULT_TICK_PAISE): number =>
  roundHalfAway(pricePaise / tickPaise) * tickPaise

/** `123456` -> `"1234.56"`: exact, no float formatting. */
export const formatPaise = (paise: number): string => {
  const sign = paise < 0 ? '-' : ''
  const abs = Math.abs(paise)
  const rupees = Math.trunc(abs / 100)
  const rest = abs % 100
  return `${sign}${rupees}.${rest < 10 ? '0' : ''}${rest}`
}

export const unsafeMoney = {
  paise: (n: number) => n as Paise,
  price: (n: number) => n as PricePaise,
  qty: (n: number) => n as Qty,
} as const

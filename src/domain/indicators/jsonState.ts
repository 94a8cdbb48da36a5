// Indicator state is snapshotted with the strategy that owns it (see `engineSnapshot.ts`), through JSON. JSON has no
// NaN (JSON.stringify writes `null`), so a warming value is written as `null` and read back as NaN.

/** A number as JSON: NaN (and ±Infinity) become `null`. */
export type JsonNumber = number | null

export const encodeNumber = (x: number): JsonNumber => (Number.isFinite(x) ? x : null)

export const decodeNumber = (x: JsonNumber | undefined): number => (typeof x === 'number' ? x : Number.NaN)

export const encodeArray = (xs: Float64Array): JsonNumber[] => Array.from(xs, encodeNumber)

/** Copies `xs` into a new Float64Array of `length` (missing entries are 0). */
export const decodeArray = (xs: readonly JsonNumber[], length: number): Float64Array => {
  const out = new Float64Array(length)
  for (let i = 0; i < length && i < xs.length; i++) out[i] = decodeNumber(xs[i])
  return out
}

/** Periods are positive integers; a bad one is a programming error, so it throws at construction (never per bar). */
export const checkPeriod = (name: string, period: number): number => {
  if (!Number.isSafeInteger(period) || period < 1) throw new RangeError(`${name}: period must be a positive integer`)
  return period
}

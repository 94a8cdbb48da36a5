import { checkPeriod, decodeArray, decodeNumber, encodeArray, encodeNumber, type JsonNumber } from './jsonState.js'

export interface WmaState {
  readonly kind: 'wma'
  readonly period: number
  readonly ring: JsonNumber[]
  readonly index: number
  readonly count: number
  readonly sum: JsonNumber
  readonly numerator: JsonNumber
  readonly sinceResync: number
}

/**
 * Linearly weighted moving average: weights 1 (oldest) .. `period` (newest), divided by `period (period + 1) / 2`.
 * First value at input index `period - 1`; NaN before. O(1) per update: with S the plain window sum and W the weighted
 * sum, the next W is `W + period * x - S`. Both are recomputed from the ring every `period` updates (O(1) amortised)
 * to stop drift.
 */
export class Wma {
  readonly period: number
  private readonly ring: Float64Array
  private readonly denominator: number
  private index = 0
  private count = 0
  private sum = 0
  private numerator = 0
  private sinceResync = 0
  private current = Number.NaN

  constructor(period: number) {
    this.period = checkPeriod('Wma', period)
    this.ring = new Float64Array(period)
    this.denominator = (period * (period + 1)) / 2
  }

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.count >= this.period
  }

  update(x: number): number {
    const n = this.period
    const i = this.index
    if (this.count < n) {
      this.ring[i] = x
      this.index = i + 1 === n ? 0 : i + 1
      this.count++
      if (this.count === n) this.resync()
    } else {
      this.numerator += n * x - this.sum
      this.sum += x - (this.ring[i] as number)
      this.ring[i] = x
      this.index = i + 1 === n ? 0 : i + 1
      if (++this.sinceResync >= n) this.resync()
    }
    this.current = this.count >= n ? this.numerator / this.denominator : Number.NaN
    return this.current
  }

  peek(x: number): number {
    const n = this.period
    if (this.count >= n) return (this.numerator + n * x - this.sum) / this.denominator
    if (this.count + 1 < n) return Number.NaN
    // The bar that completes the warm-up: once per instance, O(period).
    let w = n * x
    for (let j = 0; j < n - 1; j++) w += (j + 1) * (this.ring[j] as number)
    return w / this.denominator
  }

  /** Exact sums from the ring (oldest at `index` once full). */
  private resync(): void {
    const n = this.period
    let s = 0
    let w = 0
    for (let j = 0; j < n; j++) {
      const v = this.ring[(this.index + j) % n] as number
      s += v
      w += (j + 1) * v
    }
    this.sum = s
    this.numerator = w
    this.sinceResync = 0
  }

  toJSON(): WmaState {
    return {
      kind: 'wma',
      period: this.period,
      ring: encodeArray(this.ring),
      index: this.index,
      count: this.count,
      sum: encodeNumber(this.sum),
      numerator: encodeNumber(this.numerator),
      sinceResync: this.sinceResync,
    }
  }

  static fromJSON(s: WmaState): Wma {
    const o = new Wma(s.period)
    o.ring.set(decodeArray(s.ring, s.period))
    o.index = s.index
    o.count = s.count
    o.sum = decodeNumber(s.sum)
    o.numerator = decodeNumber(s.numerator)
    o.sinceResync = s.sinceResync
    o.current = o.count >= o.period ? o.numerator / o.denominator : Number.NaN
    return o
  }
}

import { checkPeriod, decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

export interface EmaState {
  readonly kind: 'ema'
  readonly period: number
  readonly count: number
  readonly seedSum: JsonNumber
  readonly value: JsonNumber
}

/**
 * Exponential moving average, `alpha = 2 / (period + 1)`, seeded with the simple average of the first `period` inputs
 * (the textbook and TA-Lib seeding; `technicalindicators` does the same). First value at input index `period - 1`;
 * NaN before. Then `ema += alpha * (x - ema)`.
 *
 * `trading-signals`' EMA seeds with the first input instead and reports from index 0; see docs/indicators.md.
 */
export class Ema {
  readonly period: number
  readonly alpha: number
  private count = 0
  private seedSum = 0
  private current = Number.NaN

  constructor(period: number) {
    this.period = checkPeriod('Ema', period)
    this.alpha = 2 / (period + 1)
  }

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.count >= this.period
  }

  update(x: number): number {
    const n = this.period
    if (this.count >= n) {
      this.current += this.alpha * (x - this.current)
    } else {
      this.count++
      this.seedSum += x
      if (this.count === n) this.current = this.seedSum / n
    }
    return this.current
  }

  peek(x: number): number {
    const n = this.period
    if (this.count >= n) return this.current + this.alpha * (x - this.current)
    return this.count + 1 === n ? (this.seedSum + x) / n : Number.NaN
  }

  toJSON(): EmaState {
    return {
      kind: 'ema',
      period: this.period,
      count: this.count,
      seedSum: encodeNumber(this.seedSum),
      value: encodeNumber(this.current),
    }
  }

  static fromJSON(s: EmaState): Ema {
    const o = new Ema(s.period)
    o.count = s.count
    o.seedSum = decodeNumber(s.seedSum)
    o.current = decodeNumber(s.value)
    return o
  }
}

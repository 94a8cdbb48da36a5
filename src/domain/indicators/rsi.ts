import { checkPeriod, decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

export interface RsiState {
  readonly kind: 'rsi'
  readonly period: number
  readonly prev: JsonNumber
  readonly count: number
  readonly avgGain: JsonNumber
  readonly avgLoss: JsonNumber
}

/** RSI from Wilder's averages; both zero (a flat window) is neutral, 50. */
const rsiOf = (avgGain: number, avgLoss: number): number => {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100
  return 100 - 100 / (1 + avgGain / avgLoss)
}

/**
 * Wilder's RSI. Changes start at the second input; the first `period` gains and losses are averaged simply, then
 * `avg = (avg * (period - 1) + x) / period`. First value at input index `period`; NaN before.
 */
export class Rsi {
  readonly period: number
  private prev = Number.NaN
  private count = 0
  private avgGain = 0
  private avgLoss = 0
  private current = Number.NaN

  constructor(period = 14) {
    this.period = checkPeriod('Rsi', period)
  }

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.count >= this.period
  }

  update(close: number): number {
    const prev = this.prev
    this.prev = close
    if (Number.isNaN(prev)) return this.current // first input (prev is NaN)
    const d = close - prev
    const gain = Math.max(d, 0)
    const loss = d < 0 ? -d : 0
    const n = this.period
    if (this.count >= n) {
      this.avgGain = (this.avgGain * (n - 1) + gain) / n
      this.avgLoss = (this.avgLoss * (n - 1) + loss) / n
      this.current = rsiOf(this.avgGain, this.avgLoss)
    } else {
      // During the seed, avgGain/avgLoss hold sums.
      this.avgGain += gain
      this.avgLoss += loss
      if (++this.count === n) {
        this.avgGain /= n
        this.avgLoss /= n
        this.current = rsiOf(this.avgGain, this.avgLoss)
      }
    }
    return this.current
  }

  peek(close: number): number {
    const prev = this.prev
    if (Number.isNaN(prev)) return Number.NaN
    const d = close - prev
    const gain = Math.max(d, 0)
    const loss = d < 0 ? -d : 0
    const n = this.period
    if (this.count >= n) return rsiOf((this.avgGain * (n - 1) + gain) / n, (this.avgLoss * (n - 1) + loss) / n)
    if (this.count + 1 < n) return Number.NaN
    return rsiOf((this.avgGain + gain) / n, (this.avgLoss + loss) / n)
  }

  toJSON(): RsiState {
    return {
      kind: 'rsi',
      period: this.period,
      prev: encodeNumber(this.prev),
      count: this.count,
      avgGain: encodeNumber(this.avgGain),
      avgLoss: encodeNumber(this.avgLoss),
    }
  }

  static fromJSON(s: RsiState): Rsi {
    const o = new Rsi(s.period)
    o.prev = decodeNumber(s.prev)
    o.count = s.count
    o.avgGain = decodeNumber(s.avgGain)
    o.avgLoss = decodeNumber(s.avgLoss)
    o.current = o.count >= o.period ? rsiOf(o.avgGain, o.avgLoss) : Number.NaN
    return o
  }
}

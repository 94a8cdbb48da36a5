import { checkPeriod, decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

export interface AtrState {
  readonly kind: 'atr'
  readonly period: number
  readonly firstBarRange: boolean
  readonly prevClose: JsonNumber
  readonly count: number
  readonly atr: JsonNumber
}

/** True range of a bar given the previous close. */
export const trueRange = (high: number, low: number, prevClose: number): number => {
  const a = high - low
  const b = high > prevClose ? high - prevClose : prevClose - high
  const c = low > prevClose ? low - prevClose : prevClose - low
  return a >= b ? Math.max(a, c) : Math.max(b, c)
}

export interface AtrOptions {
  /**
   * false (default, Wilder and TA-Lib): the first bar has no true range (there is no previous close), so the first
   * ATR is at input index `period`. true (TradingView's `ta.atr`, `trading-signals`): the first bar's true range is
   * its high - low, and the first ATR is at index `period - 1`. {@link Supertrend} uses true.
   */
  readonly firstBarRange?: boolean
}

/**
 * Wilder's average true range: the simple average of the first `period` true ranges, then
 * `atr = (atr * (period - 1) + tr) / period`. NaN while warming.
 */
export class Atr {
  readonly period: number
  readonly firstBarRange: boolean
  private prevClose = Number.NaN
  private count = 0
  private atr = 0
  private current = Number.NaN

  constructor(period = 14, options: AtrOptions = {}) {
    this.period = checkPeriod('Atr', period)
    this.firstBarRange = options.firstBarRange ?? false
  }

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.count >= this.period
  }

  update(high: number, low: number, close: number): number {
    const pc = this.prevClose
    this.prevClose = close
    let tr: number
    if (!Number.isNaN(pc)) tr = trueRange(high, low, pc)
    else if (this.firstBarRange) tr = high - low
    else return this.current
    const n = this.period
    if (this.count >= n) {
      this.atr = (this.atr * (n - 1) + tr) / n
      this.current = this.atr
    } else {
      this.atr += tr // the sum, during the seed
      if (++this.count === n) {
        this.atr /= n
        this.current = this.atr
      }
    }
    return this.current
  }

  peek(high: number, low: number, close: number): number {
    void close
    const pc = this.prevClose
    let tr: number
    if (!Number.isNaN(pc)) tr = trueRange(high, low, pc)
    else if (this.firstBarRange) tr = high - low
    else return Number.NaN
    const n = this.period
    if (this.count >= n) return (this.atr * (n - 1) + tr) / n
    return this.count + 1 === n ? (this.atr + tr) / n : Number.NaN
  }

  toJSON(): AtrState {
    return {
      kind: 'atr',
      period: this.period,
      firstBarRange: this.firstBarRange,
      prevClose: encodeNumber(this.prevClose),
      count: this.count,
      atr: encodeNumber(this.atr),
    }
  }

  static fromJSON(s: AtrState): Atr {
    const o = new Atr(s.period, { firstBarRange: s.firstBarRange })
    o.prevClose = decodeNumber(s.prevClose)
    o.count = s.count
    o.atr = decodeNumber(s.atr)
    o.current = o.count >= o.period ? o.atr : Number.NaN
    return o
  }
}

import { Atr, type AtrState } from './atr.js'
import { decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

/** A Supertrend reading. Objects handed out by {@link Supertrend} are reused: copy the fields you keep. */
export interface SupertrendValue {
  /** The trailing line: the final lower band in an up trend, the final upper band in a down trend. */
  value: number
  /** +1 up, -1 down, 0 while warming. */
  direction: number
  upper: number
  lower: number
}

export interface SupertrendState {
  readonly kind: 'supertrend'
  readonly multiplier: number
  readonly atr: AtrState
  readonly upper: JsonNumber
  readonly lower: JsonNumber
  readonly prevClose: JsonNumber
  readonly direction: number
}

/**
 * Supertrend as TradingView's `ta.supertrend(factor, atrPeriod)` defines it. ATR is Wilder's with the first bar's
 * range as its first true range (`Atr` with `firstBarRange`), so the first value is at input index `period - 1`.
 * Basic bands `hl2 ± multiplier * ATR`; the final lower band only rises (unless the previous close fell below it),
 * the final upper band only falls (unless the previous close rose above it). The first value is a down trend; a down
 * trend turns up when the close exceeds the final upper band, an up trend turns down when it falls below the final
 * lower band.
 *
 * `update`/`peek` write into result objects owned by the instance (overwritten by the next call of the same method).
 */
export class Supertrend {
  readonly multiplier: number
  private atr: Atr
  private upper = Number.NaN
  private lower = Number.NaN
  private prevClose = Number.NaN
  private direction = 0
  private readonly out: SupertrendValue = { value: Number.NaN, direction: 0, upper: Number.NaN, lower: Number.NaN }
  private readonly preview: SupertrendValue = { value: Number.NaN, direction: 0, upper: Number.NaN, lower: Number.NaN }

  constructor(period = 10, multiplier = 3) {
    this.multiplier = multiplier
    this.atr = new Atr(period, { firstBarRange: true })
  }

  get period(): number {
    return this.atr.period
  }

  get value(): Readonly<SupertrendValue> {
    return this.out
  }

  get ready(): boolean {
    return this.direction !== 0
  }

  update(high: number, low: number, close: number): Readonly<SupertrendValue> {
    const atr = this.atr.update(high, low, close)
    const out = this.out
    if (Number.isNaN(atr)) {
      out.value = out.upper = out.lower = Number.NaN
      out.direction = 0
      return out
    }
    this.compute(high, low, close, atr, out)
    this.upper = out.upper
    this.lower = out.lower
    this.direction = out.direction
    this.prevClose = close
    return out
  }

  peek(high: number, low: number, close: number): Readonly<SupertrendValue> {
    const atr = this.atr.peek(high, low, close)
    const p = this.preview
    if (Number.isNaN(atr)) {
      p.value = p.upper = p.lower = Number.NaN
      p.direction = 0
      return p
    }
    this.compute(high, low, close, atr, p)
    return p
  }

  /** The bands and direction for a bar with a known ATR, into `out`; reads the committed state only. */
  private compute(high: number, low: number, close: number, atr: number, out: SupertrendValue): void {
    const hl2 = (high + low) / 2
    out.upper = hl2 + this.multiplier * atr
    out.lower = hl2 - this.multiplier * atr
    if (this.direction === 0) {
      out.direction = -1
    } else {
      const pl = this.lower
      const pu = this.upper
      const pc = this.prevClose
      if (!(out.lower > pl || pc < pl)) out.lower = pl
      if (!(out.upper < pu || pc > pu)) out.upper = pu
      out.direction = this.direction === -1 ? (close > out.upper ? 1 : -1) : close < out.lower ? -1 : 1
    }
    out.value = out.direction === 1 ? out.lower : out.upper
  }

  toJSON(): SupertrendState {
    return {
      kind: 'supertrend',
      multiplier: this.multiplier,
      atr: this.atr.toJSON(),
      upper: encodeNumber(this.upper),
      lower: encodeNumber(this.lower),
      prevClose: encodeNumber(this.prevClose),
      direction: this.direction,
    }
  }

  static fromJSON(s: SupertrendState): Supertrend {
    const o = new Supertrend(s.atr.period, s.multiplier)
    o.atr = Atr.fromJSON(s.atr)
    o.upper = decodeNumber(s.upper)
    o.lower = decodeNumber(s.lower)
    o.prevClose = decodeNumber(s.prevClose)
    o.direction = s.direction
    if (o.direction !== 0) {
      o.out.upper = o.upper
      o.out.lower = o.lower
      o.out.direction = o.direction
      o.out.value = o.direction === 1 ? o.lower : o.upper
    }
    return o
  }
}

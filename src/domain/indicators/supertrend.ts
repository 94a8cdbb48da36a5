import type { AtrState } from './atr.js'
import { checkPeriod, decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

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

/** A class, so that readings have a map of their own (see the comment in {@link Supertrend}). */
class Reading implements SupertrendValue {
  value = Number.NaN
  direction = 0
  upper = Number.NaN
  lower = Number.NaN
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
  readonly period: number
  readonly multiplier: number
  // Nothing here allocates per bar (tests/indicators/allocation.int.spec.ts); three precautions, each worth 16 bytes
  // a bar or more when missing. A call V8 does not inline boxes every double it is passed or returns, and `update` +
  // `peek` are more code than V8 inlines into one caller; so the ATR is kept here rather than in an `Atr` (whose
  // `update` returns a double), and the bar and its ATR reach the private steps through fields, which V8 overwrites
  // in place, not as arguments. And the readings are `Reading` instances: as object literals, whose map V8 shares
  // with other objects of the same shape, every store into `value` boxed a new number when the code was loaded as
  // separate modules (vitest, tsx), though not in a single bundle.
  /** The previous bar's close (the ATR's; the bands use it only once warm, when it is also theirs). */
  private prevClose = Number.NaN
  /** True ranges seen, up to `period`. */
  private count = 0
  /** The sum of the true ranges while seeding, then the ATR. */
  private atr = 0
  private upper = Number.NaN
  private lower = Number.NaN
  private direction = 0
  /** The bar `step` works on, and its ATR (scratch, not state: never serialized). */
  private high = Number.NaN
  private low = Number.NaN
  private close = Number.NaN
  private barAtr = Number.NaN
  private readonly out: SupertrendValue = new Reading()
  private readonly preview: SupertrendValue = new Reading()

  constructor(period = 10, multiplier = 3) {
    this.period = checkPeriod('Supertrend', period)
    this.multiplier = multiplier
  }

  get value(): Readonly<SupertrendValue> {
    return this.out
  }

  get ready(): boolean {
    return this.direction !== 0
  }

  update(high: number, low: number, close: number): Readonly<SupertrendValue> {
    this.high = high
    this.low = low
    this.close = close
    this.step(true, this.out)
    return this.out
  }

  peek(high: number, low: number, close: number): Readonly<SupertrendValue> {
    this.high = high
    this.low = low
    this.close = close
    this.step(false, this.preview)
    return this.preview
  }

  /** The bar in `high`/`low`/`close` into `out`; with `commit` false it reads the committed state only. */
  private step(commit: boolean, out: SupertrendValue): void {
    const pc = this.prevClose
    this.stepAtr(commit)
    const atr = this.barAtr
    if (Number.isNaN(atr)) {
      out.value = out.upper = out.lower = Number.NaN
      out.direction = 0
      return
    }
    const high = this.high
    const low = this.low
    const close = this.close
    const hl2 = (high + low) / 2
    let upper = hl2 + this.multiplier * atr
    let lower = hl2 - this.multiplier * atr
    let direction = -1
    const was = this.direction
    if (was !== 0) {
      const pl = this.lower
      const pu = this.upper
      if (!(lower > pl || pc < pl)) lower = pl
      if (!(upper < pu || pc > pu)) upper = pu
      direction = was === -1 ? (close > upper ? 1 : -1) : close < lower ? -1 : 1
    }
    out.upper = upper
    out.lower = lower
    out.direction = direction
    out.value = direction === 1 ? lower : upper
    if (commit) {
      this.upper = upper
      this.lower = lower
      this.direction = direction
    }
  }

  /** The bar's ATR into `barAtr` (NaN while warming); with `commit`, the ATR's state moves on to the bar. */
  private stepAtr(commit: boolean): void {
    const high = this.high
    const low = this.low
    const pc = this.prevClose
    // The true range, written out rather than a call to `trueRange` that returns a double.
    let tr = high - low
    if (!Number.isNaN(pc)) tr = Math.max(tr, Math.abs(high - pc), Math.abs(low - pc))
    const n = this.period
    let count = this.count
    let acc = this.atr
    let atr = Number.NaN
    if (count >= n) {
      acc = (acc * (n - 1) + tr) / n
      atr = acc
    } else {
      acc += tr
      if (++count === n) {
        acc /= n
        atr = acc
      }
    }
    if (commit) {
      this.prevClose = this.close
      this.count = count
      this.atr = acc
    }
    this.barAtr = atr
  }

  toJSON(): SupertrendState {
    return {
      kind: 'supertrend',
      multiplier: this.multiplier,
      atr: {
        kind: 'atr',
        period: this.period,
        firstBarRange: true,
        prevClose: encodeNumber(this.prevClose),
        count: this.count,
        atr: encodeNumber(this.atr),
      },
      upper: encodeNumber(this.upper),
      lower: encodeNumber(this.lower),
      // The bands' previous close is recorded only once they exist (as it was when an `Atr` held the ATR's own).
      prevClose: encodeNumber(this.direction === 0 ? Number.NaN : this.prevClose),
      direction: this.direction,
    }
  }

  static fromJSON(s: SupertrendState): Supertrend {
    const o = new Supertrend(s.atr.period, s.multiplier)
    o.prevClose = decodeNumber(s.atr.prevClose)
    o.count = s.atr.count
    o.atr = decodeNumber(s.atr.atr)
    o.upper = decodeNumber(s.upper)
    o.lower = decodeNumber(s.lower)
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

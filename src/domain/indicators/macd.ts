import { Ema, type EmaState } from './ema.js'

/** A MACD reading. Objects of this type handed out by {@link Macd} are reused: copy the fields you keep. */
export interface MacdValue {
  line: number
  signal: number
  histogram: number
}

export interface MacdState {
  readonly kind: 'macd'
  readonly fast: EmaState
  readonly slow: EmaState
  readonly signal: EmaState
}

/**
 * MACD: `line = EMA(fast) - EMA(slow)`, `signal = EMA(signalPeriod)` of the line, `histogram = line - signal`. Each
 * EMA is seeded with its own simple average ({@link Ema}); the signal EMA starts with the first line value. So the line
 * first appears at input index `slow - 1` and the signal and histogram at `slow + signalPeriod - 2`; NaN before.
 *
 * Several outputs, no allocation: `update` and `peek` write into two result objects owned by the instance and return
 * them (`update`'s is also `value`). They are overwritten by the next call of the same method.
 */
export class Macd {
  // Not readonly only so that `fromJSON` can put restored EMAs in place.
  private fast: Ema
  private slow: Ema
  private signalEma: Ema
  private readonly out: MacdValue = { line: Number.NaN, signal: Number.NaN, histogram: Number.NaN }
  private readonly preview: MacdValue = { line: Number.NaN, signal: Number.NaN, histogram: Number.NaN }

  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    this.fast = new Ema(fastPeriod)
    this.slow = new Ema(slowPeriod)
    this.signalEma = new Ema(signalPeriod)
  }

  get value(): Readonly<MacdValue> {
    return this.out
  }

  get ready(): boolean {
    return this.signalEma.ready
  }

  update(close: number): Readonly<MacdValue> {
    const line = this.fast.update(close) - this.slow.update(close)
    const out = this.out
    out.line = line
    if (!Number.isNaN(line)) {
      out.signal = this.signalEma.update(line)
      out.histogram = line - out.signal
    }
    return out
  }

  peek(close: number): Readonly<MacdValue> {
    const line = this.fast.peek(close) - this.slow.peek(close)
    const p = this.preview
    p.line = line
    p.signal = !Number.isNaN(line) ? this.signalEma.peek(line) : Number.NaN
    p.histogram = line - p.signal
    return p
  }

  toJSON(): MacdState {
    return { kind: 'macd', fast: this.fast.toJSON(), slow: this.slow.toJSON(), signal: this.signalEma.toJSON() }
  }

  static fromJSON(s: MacdState): Macd {
    const o = new Macd(s.fast.period, s.slow.period, s.signal.period)
    o.fast = Ema.fromJSON(s.fast)
    o.slow = Ema.fromJSON(s.slow)
    o.signalEma = Ema.fromJSON(s.signal)
    const line = o.fast.value - o.slow.value
    o.out.line = line
    o.out.signal = o.signalEma.value
    o.out.histogram = line - o.signalEma.value
    return o
  }
}

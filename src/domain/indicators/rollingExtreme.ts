import { checkPeriod, decodeArray, encodeArray, type JsonNumber } from './jsonState.js'

export interface RollingExtremeState {
  readonly kind: 'highest' | 'lowest'
  readonly period: number
  readonly t: number
  readonly head: number
  readonly size: number
  readonly values: JsonNumber[]
  readonly seqs: JsonNumber[]
}

/**
 * The highest (or lowest) of the last `period` inputs; first value at input index `period - 1`, NaN before.
 * A monotonic deque in two preallocated rings: each input is pushed once and popped at most once, so an update is
 * O(1) amortised and allocates nothing. Values are stored multiplied by `sign` (+1 highest, -1 lowest), so one loop
 * serves both.
 */
abstract class RollingExtreme {
  readonly period: number
  private readonly sign: number
  private readonly values: Float64Array
  private readonly seqs: Float64Array
  private t = -1 // index of the last input
  private head = 0
  private size = 0
  private current = Number.NaN

  protected constructor(period: number, sign: 1 | -1) {
    this.period = checkPeriod(sign === 1 ? 'Highest' : 'Lowest', period)
    this.sign = sign
    this.values = new Float64Array(period)
    this.seqs = new Float64Array(period)
  }

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.t + 1 >= this.period
  }

  update(x: number): number {
    const n = this.period
    const t = ++this.t
    const v = this.sign * x
    // Drop the front if it left the window.
    if (this.size > 0 && (this.seqs[this.head] as number) <= t - n) {
      this.head = this.head + 1 === n ? 0 : this.head + 1
      this.size--
    }
    // Drop from the back everything the new value dominates.
    while (this.size > 0) {
      let back = this.head + this.size - 1
      if (back >= n) back -= n
      if ((this.values[back] as number) > v) break
      this.size--
    }
    let slot = this.head + this.size
    if (slot >= n) slot -= n
    this.values[slot] = v
    this.seqs[slot] = t
    this.size++
    this.current = t + 1 >= n ? this.sign * (this.values[this.head] as number) : Number.NaN
    return this.current
  }

  peek(x: number): number {
    const n = this.period
    const t = this.t + 1
    if (t + 1 < n) return Number.NaN
    const v = this.sign * x
    let best = v
    if (this.size > 0) {
      let i = this.head
      // At most the front leaves the window.
      if ((this.seqs[i] as number) <= t - n) i = this.size > 1 ? (i + 1 === n ? 0 : i + 1) : -1
      if (i >= 0 && (this.values[i] as number) > best) best = this.values[i] as number
    }
    return this.sign * best
  }

  protected state(kind: 'highest' | 'lowest'): RollingExtremeState {
    return {
      kind,
      period: this.period,
      t: this.t,
      head: this.head,
      size: this.size,
      values: encodeArray(this.values),
      seqs: encodeArray(this.seqs),
    }
  }

  protected restore(s: RollingExtremeState): void {
    this.values.set(decodeArray(s.values, s.period))
    this.seqs.set(decodeArray(s.seqs, s.period))
    this.t = s.t
    this.head = s.head
    this.size = s.size
    this.current =
      this.t + 1 >= this.period && this.size > 0 ? this.sign * (this.values[this.head] as number) : Number.NaN
  }
}

/** Highest of the last `period` inputs (e.g. highs for a Donchian upper band). */
export class Highest extends RollingExtreme {
  constructor(period: number) {
    super(period, 1)
  }

  toJSON(): RollingExtremeState {
    return this.state('highest')
  }

  static fromJSON(s: RollingExtremeState): Highest {
    const o = new Highest(s.period)
    o.restore(s)
    return o
  }
}

/** Lowest of the last `period` inputs. */
export class Lowest extends RollingExtreme {
  constructor(period: number) {
    super(period, -1)
  }

  toJSON(): RollingExtremeState {
    return this.state('lowest')
  }

  static fromJSON(s: RollingExtremeState): Lowest {
    const o = new Lowest(s.period)
    o.restore(s)
    return o
  }
}

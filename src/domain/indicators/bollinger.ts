import { checkPeriod, decodeArray, decodeNumber, encodeArray, encodeNumber, type JsonNumber } from './jsonState.js'

/** A Bollinger reading. Objects handed out by {@link Bollinger} are reused: copy the fields you keep. */
export interface BollingerValue {
  middle: number
  upper: number
  lower: number
  /** Population standard deviation of the window. */
  stdDev: number
  /** `(upper - lower) / middle`, the band width as a fraction of price. */
  width: number
}

export interface BollingerState {
  readonly kind: 'bollinger'
  readonly period: number
  readonly k: number
  readonly ring: JsonNumber[]
  readonly index: number
  readonly count: number
  readonly shift: JsonNumber
  readonly s1: JsonNumber
  readonly s2: JsonNumber
  readonly sinceResync: number
}

/**
 * Bollinger Bands: `middle = SMA(period)`, `upper/lower = middle ± k * σ` with σ the population standard deviation
 * of the window (as Bollinger, TA-Lib and both oracles define it). First value at input index `period - 1`.
 *
 * O(1) per update: running sums of `x - shift` and `(x - shift)^2`. The shift is a recent input, so the sums stay
 * small and the variance does not lose digits to cancellation; it is reset, and the sums recomputed from the ring,
 * every `period` updates (O(1) amortised).
 *
 * `update`/`peek` write into result objects owned by the instance (overwritten by the next call of the same method).
 */
export class Bollinger {
  readonly period: number
  readonly k: number
  private readonly ring: Float64Array
  private index = 0
  private count = 0
  private shift = Number.NaN
  private s1 = 0
  private s2 = 0
  private sinceResync = 0
  private readonly out: BollingerValue = nanValue()
  private readonly preview: BollingerValue = nanValue()

  constructor(period = 20, k = 2) {
    this.period = checkPeriod('Bollinger', period)
    this.k = k
    this.ring = new Float64Array(period)
  }

  get value(): Readonly<BollingerValue> {
    return this.out
  }

  get ready(): boolean {
    return this.count >= this.period
  }

  update(x: number): Readonly<BollingerValue> {
    const n = this.period
    const i = this.index
    if (Number.isNaN(this.shift)) this.shift = x
    const d = x - this.shift
    if (this.count < n) {
      this.count++
      this.s1 += d
      this.s2 += d * d
    } else {
      const o = (this.ring[i] as number) - this.shift
      this.s1 += d - o
      this.s2 += d * d - o * o
    }
    this.ring[i] = x
    this.index = i + 1 === n ? 0 : i + 1
    if (this.count >= n && ++this.sinceResync >= n) this.resync(x)
    if (this.count >= n) this.fill(this.out, this.shift, this.s1, this.s2)
    return this.out
  }

  peek(x: number): Readonly<BollingerValue> {
    const n = this.period
    const p = this.preview
    if (this.count + 1 < n) {
      p.middle = p.upper = p.lower = p.stdDev = p.width = Number.NaN
      return p
    }
    const shift = !Number.isNaN(this.shift) ? this.shift : x
    const d = x - shift
    let s1 = this.s1 + d
    let s2 = this.s2 + d * d
    if (this.count >= n) {
      const o = (this.ring[this.index] as number) - shift
      s1 -= o
      s2 -= o * o
    }
    this.fill(p, shift, s1, s2)
    return p
  }

  private fill(out: BollingerValue, shift: number, s1: number, s2: number): void {
    const n = this.period
    const m = s1 / n
    const variance = s2 / n - m * m
    const sd = variance > 0 ? Math.sqrt(variance) : 0
    const middle = shift + m
    out.middle = middle
    out.stdDev = sd
    out.upper = middle + this.k * sd
    out.lower = middle - this.k * sd
    out.width = (out.upper - out.lower) / middle
  }

  private resync(shift: number): void {
    this.shift = shift
    let s1 = 0
    let s2 = 0
    for (let j = 0; j < this.period; j++) {
      const d = (this.ring[j] as number) - shift
      s1 += d
      s2 += d * d
    }
    this.s1 = s1
    this.s2 = s2
    this.sinceResync = 0
  }

  toJSON(): BollingerState {
    return {
      kind: 'bollinger',
      period: this.period,
      k: this.k,
      ring: encodeArray(this.ring),
      index: this.index,
      count: this.count,
      shift: encodeNumber(this.shift),
      s1: encodeNumber(this.s1),
      s2: encodeNumber(this.s2),
      sinceResync: this.sinceResync,
    }
  }

  static fromJSON(s: BollingerState): Bollinger {
    const o = new Bollinger(s.period, s.k)
    o.ring.set(decodeArray(s.ring, s.period))
    o.index = s.index
    o.count = s.count
    o.shift = decodeNumber(s.shift)
    o.s1 = decodeNumber(s.s1)
    o.s2 = decodeNumber(s.s2)
    o.sinceResync = s.sinceResync
    if (o.count >= o.period) o.fill(o.out, o.shift, o.s1, o.s2)
    return o
  }
}

const nanValue = (): BollingerValue => ({
  middle: Number.NaN,
  upper: Number.NaN,
  lower: Number.NaN,
  stdDev: Number.NaN,
  width: Number.NaN,
})

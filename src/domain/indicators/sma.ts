import { checkPeriod, decodeArray, decodeNumber, encodeArray, encodeNumber, type JsonNumber } from './jsonState.js'

export interface SmaState {
  readonly kind: 'sma'
  readonly period: number
  readonly ring: JsonNumber[]
  readonly index: number
  readonly count: number
  readonly sum: JsonNumber
  readonly sinceResync: number
}

/**
 * Simple moving average of the last `period` inputs. First value at input index `period - 1`; NaN before.
 * O(1) per update: a running sum over a ring buffer, recomputed exactly from the ring once every `period` updates
 * (O(1) amortised) so floating-point drift cannot build up over a long replay.
 */
export class Sma {
  readonly period: number
  private readonly ring: Float64Array
  private index = 0
  private count = 0
  private sum = 0
  private sinceResync = 0
  private current = Number.NaN

  constructor(period: number) {
    this.period = checkPeriod('Sma', period)
    this.ring = new Float64Array(period)
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
      this.count++
      this.sum += x
    } else {
      this.sum += x - (this.ring[i] as number)
    }
    this.ring[i] = x
    this.index = i + 1 === n ? 0 : i + 1
    if (++this.sinceResync >= n) {
      this.sinceResync = 0
      let s = 0
      for (let j = 0; j < this.count; j++) s += this.ring[j] as number
      this.sum = s
    }
    this.current = this.count >= n ? this.sum / n : Number.NaN
    return this.current
  }

  /** The value `update(x)` would give, without changing state. */
  peek(x: number): number {
    const n = this.period
    if (this.count + 1 < n) return Number.NaN
    const s = this.count < n ? this.sum + x : this.sum + x - (this.ring[this.index] as number)
    return s / n
  }

  toJSON(): SmaState {
    return {
      kind: 'sma',
      period: this.period,
      ring: encodeArray(this.ring),
      index: this.index,
      count: this.count,
      sum: encodeNumber(this.sum),
      sinceResync: this.sinceResync,
    }
  }

  static fromJSON(s: SmaState): Sma {
    const o = new Sma(s.period)
    o.ring.set(decodeArray(s.ring, s.period))
    o.index = s.index
    o.count = s.count
    o.sum = decodeNumber(s.sum)
    o.sinceResync = s.sinceResync
    o.current = o.count >= o.period ? o.sum / o.period : Number.NaN
    return o
  }
}

/** Rolling average volume over `period` bars: an {@link Sma} fed with volumes. */
export class VolumeAverage extends Sma {}

import { DAY_MS, IST_OFFSET_MS, istDayNumber } from '../time/index.js'
import { decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

export interface VwapState {
  readonly kind: 'vwap'
  readonly day: JsonNumber
  readonly pv: JsonNumber
  readonly volume: JsonNumber
}

/** The typical price `(high + low + close) / 3`, VWAP's usual input. */
export const typicalPrice = (high: number, low: number, close: number): number => (high + low + close) / 3

/**
 * Session VWAP: `Σ price·volume / Σ volume` since the first bar of the current IST day (the session); the sums reset
 * when a bar's time falls on a new IST day. NaN while the session has no volume yet. `tsMs` is the bar's event time
 * (epoch ms, e.g. `bar.openMs`), never the clock.
 */
export class Vwap {
  private day = Number.NaN
  // The current session's IST day as an epoch-ms interval, so that the per-bar check is two comparisons.
  private dayStartMs = Number.NaN
  private dayEndMs = Number.NaN
  private pv = 0
  private volume = 0
  private current = Number.NaN

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return this.volume > 0
  }

  update(tsMs: number, price: number, volume: number): number {
    if (!(tsMs >= this.dayStartMs && tsMs < this.dayEndMs)) {
      this.setDay(istDayNumber(tsMs))
      this.pv = 0
      this.volume = 0
    }
    this.pv += price * volume
    this.volume += volume
    this.current = this.volume > 0 ? this.pv / this.volume : Number.NaN
    return this.current
  }

  private setDay(day: number): void {
    this.day = day
    this.dayStartMs = day * DAY_MS - IST_OFFSET_MS
    this.dayEndMs = this.dayStartMs + DAY_MS
  }

  peek(tsMs: number, price: number, volume: number): number {
    const same = tsMs >= this.dayStartMs && tsMs < this.dayEndMs
    const pv = (same ? this.pv : 0) + price * volume
    const v = (same ? this.volume : 0) + volume
    return v > 0 ? pv / v : Number.NaN
  }

  toJSON(): VwapState {
    return { kind: 'vwap', day: encodeNumber(this.day), pv: encodeNumber(this.pv), volume: encodeNumber(this.volume) }
  }

  static fromJSON(s: VwapState): Vwap {
    const o = new Vwap()
    o.setDay(decodeNumber(s.day))
    o.pv = decodeNumber(s.pv)
    o.volume = decodeNumber(s.volume)
    o.current = o.volume > 0 ? o.pv / o.volume : Number.NaN
    return o
  }
}

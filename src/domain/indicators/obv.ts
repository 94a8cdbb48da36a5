import { decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

export interface ObvState {
  readonly kind: 'obv'
  readonly prevClose: JsonNumber
  readonly obv: number
}

/**
 * On-balance volume: 0 on the first bar, then `+volume` on a higher close, `-volume` on a lower one, unchanged on an
 * equal one. No warm-up beyond the first bar (which gives 0).
 */
export class Obv {
  private prevClose = Number.NaN
  private obv = 0
  private current = Number.NaN

  get value(): number {
    return this.current
  }

  get ready(): boolean {
    return !Number.isNaN(this.current)
  }

  update(close: number, volume: number): number {
    const pc = this.prevClose
    this.prevClose = close
    if (close > pc) this.obv += volume
    else if (close < pc) this.obv -= volume
    this.current = this.obv
    return this.obv
  }

  peek(close: number, volume: number): number {
    const pc = this.prevClose
    return close > pc ? this.obv + volume : close < pc ? this.obv - volume : this.obv
  }

  toJSON(): ObvState {
    return { kind: 'obv', prevClose: encodeNumber(this.prevClose), obv: this.obv }
  }

  static fromJSON(s: ObvState): Obv {
    const o = new Obv()
    o.prevClose = decodeNumber(s.prevClose)
    o.obv = s.obv
    o.current = !Number.isNaN(o.prevClose) ? o.obv : Number.NaN
    return o
  }
}

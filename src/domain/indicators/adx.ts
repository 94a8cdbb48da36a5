import { trueRange } from './atr.js'
import { checkPeriod, decodeNumber, encodeNumber, type JsonNumber } from './jsonState.js'

/** An ADX reading. Objects handed out by {@link Adx} are reused: copy the fields you keep. */
export interface AdxValue {
  adx: number
  plusDi: number
  minusDi: number
}

export interface AdxState {
  readonly kind: 'adx'
  readonly period: number
  readonly prevHigh: JsonNumber
  readonly prevLow: JsonNumber
  readonly prevClose: JsonNumber
  readonly count: number
  readonly tr: JsonNumber
  readonly plusDm: JsonNumber
  readonly minusDm: JsonNumber
  readonly dxCount: number
  readonly adx: JsonNumber
}

/**
 * Wilder's ADX with +DI and -DI. From the second bar: `+DM = up > down && up > 0 ? up : 0` (up = high - prevHigh,
 * down = prevLow - low), likewise -DM, and the true range. Wilder sums: the first is the plain sum of `period` values,
 * then `S = S - S / period + x`. `±DI = 100 * S(±DM) / S(TR)`, `DX = 100 * |+DI - -DI| / (+DI + -DI)` (0 when both are
 * 0), and ADX is Wilder's average of DX (simple average of the first `period` DX, then `(adx (period-1) + dx) / period`).
 * DI first appear at input index `period`, ADX at `2 * period - 1`; NaN before.
 *
 * `update`/`peek` write into result objects owned by the instance (overwritten by the next call of the same method).
 */
export class Adx {
  readonly period: number
  private prevHigh = Number.NaN
  private prevLow = Number.NaN
  private prevClose = Number.NaN
  private count = 0
  private tr = 0
  private plusDm = 0
  private minusDm = 0
  private dxCount = 0
  private adx = 0
  private readonly out: AdxValue = { adx: Number.NaN, plusDi: Number.NaN, minusDi: Number.NaN }
  private readonly preview: AdxValue = { adx: Number.NaN, plusDi: Number.NaN, minusDi: Number.NaN }

  constructor(period = 14) {
    this.period = checkPeriod('Adx', period)
  }

  get value(): Readonly<AdxValue> {
    return this.out
  }

  get ready(): boolean {
    return this.dxCount >= this.period
  }

  update(high: number, low: number, close: number): Readonly<AdxValue> {
    this.step(high, low, close, true, this.out)
    return this.out
  }

  peek(high: number, low: number, close: number): Readonly<AdxValue> {
    this.step(high, low, close, false, this.preview)
    return this.preview
  }

  /** One bar; with `commit` false it computes into `out` and leaves the state alone. */
  private step(high: number, low: number, close: number, commit: boolean, out: AdxValue): void {
    const ph = this.prevHigh
    const pl = this.prevLow
    const pc = this.prevClose
    if (commit) {
      this.prevHigh = high
      this.prevLow = low
      this.prevClose = close
    }
    if (Number.isNaN(pc)) {
      out.adx = out.plusDi = out.minusDi = Number.NaN
      return
    }
    const up = high - ph
    const down = pl - low
    const pdm = up > down && up > 0 ? up : 0
    const mdm = down > up && down > 0 ? down : 0
    const tr = trueRange(high, low, pc)
    const n = this.period
    let count = this.count
    let sTr = this.tr
    let sP = this.plusDm
    let sM = this.minusDm
    if (count >= n) {
      sTr = sTr - sTr / n + tr
      sP = sP - sP / n + pdm
      sM = sM - sM / n + mdm
    } else {
      sTr += tr
      sP += pdm
      sM += mdm
      count++
    }
    let dxCount = this.dxCount
    let adx = this.adx
    if (count >= n) {
      const plusDi = sTr > 0 ? (100 * sP) / sTr : 0
      const minusDi = sTr > 0 ? (100 * sM) / sTr : 0
      const diSum = plusDi + minusDi
      const dx = diSum > 0 ? (100 * Math.abs(plusDi - minusDi)) / diSum : 0
      out.plusDi = plusDi
      out.minusDi = minusDi
      if (dxCount >= n) {
        adx = (adx * (n - 1) + dx) / n
      } else {
        adx += dx // the sum, during the seed
        if (++dxCount === n) adx /= n
      }
      out.adx = dxCount >= n ? adx : Number.NaN
    } else {
      out.adx = out.plusDi = out.minusDi = Number.NaN
    }
    if (commit) {
      this.count = count
      this.tr = sTr
      this.plusDm = sP
      this.minusDm = sM
      this.dxCount = dxCount
      this.adx = adx
    }
  }

  toJSON(): AdxState {
    return {
      kind: 'adx',
      period: this.period,
      prevHigh: encodeNumber(this.prevHigh),
      prevLow: encodeNumber(this.prevLow),
      prevClose: encodeNumber(this.prevClose),
      count: this.count,
      tr: encodeNumber(this.tr),
      plusDm: encodeNumber(this.plusDm),
      minusDm: encodeNumber(this.minusDm),
      dxCount: this.dxCount,
      adx: encodeNumber(this.adx),
    }
  }

  static fromJSON(s: AdxState): Adx {
    const o = new Adx(s.period)
    o.prevHigh = decodeNumber(s.prevHigh)
    o.prevLow = decodeNumber(s.prevLow)
    o.prevClose = decodeNumber(s.prevClose)
    o.count = s.count
    o.tr = decodeNumber(s.tr)
    o.plusDm = decodeNumber(s.plusDm)
    o.minusDm = decodeNumber(s.minusDm)
    o.dxCount = s.dxCount
    o.adx = decodeNumber(s.adx)
    if (o.count >= o.period) {
      o.out.plusDi = o.tr > 0 ? (100 * o.plusDm) / o.tr : 0
      o.out.minusDi = o.tr > 0 ? (100 * o.minusDm) / o.tr : 0
    }
    o.out.adx = o.dxCount >= o.period ? o.adx : Number.NaN
    return o
  }
}

import * as t from 'io-ts'
import { Ema, type EmaState, Sma, type SmaState } from '../indicators/index.js'
import { defineStrategy, paramsWithDefaults, type StrategyDefinition } from './strategy.js'

// sma-cross and ema-cross: long when the fast average crosses above the slow one; when it crosses below, flat (or
// short, with allowShort). Signals only on a cross, after both averages are warm.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')

export const CrossParams = (name: string) =>
  paramsWithDefaults(
    { fast: PositiveInt, slow: PositiveInt, qty: PositiveInt, allowShort: t.boolean },
    { fast: 10, slow: 30, qty: 1, allowShort: false },
    name,
  )
export type CrossParams = t.TypeOf<ReturnType<typeof CrossParams>>

interface Averages<A> {
  readonly fast: A
  readonly slow: A
  /** fast - slow at the previous bar; NaN until both are warm. */
  prevDiff: number
}

interface CrossState<A> {
  readonly params: CrossParams
  readonly byInstrument: Record<string, Averages<A>>
}

const inr = (paise: number): string => (paise / 100).toFixed(2)

interface Average {
  update(x: number): number
}

const crossStrategy = <A extends Average, J>(
  kind: string,
  label: string,
  make: (period: number) => A,
  fromJson: (j: J) => A,
): StrategyDefinition<CrossParams, CrossState<A>> =>
  defineStrategy<CrossParams, CrossState<A>>({
    kind,
    description: `Long when the fast ${label} crosses above the slow ${label}; flat (or short) when it crosses below.`,
    params: t.refinement(CrossParams(kind), (p) => p.fast < p.slow, `${kind} params (fast < slow)`),
    init: (params) => ({ params, byInstrument: {} }),
    restore: (json) => {
      const j = json as {
        params: CrossParams
        byInstrument: Record<string, { fast: J; slow: J; prevDiff: number | null }>
      }
      const byInstrument: Record<string, Averages<A>> = {}
      for (const [k, v] of Object.entries(j.byInstrument)) {
        byInstrument[k] = { fast: fromJson(v.fast), slow: fromJson(v.slow), prevDiff: v.prevDiff ?? Number.NaN }
      }
      return { params: j.params, byInstrument }
    },
    onBar: (s, bar, ctx) => {
      const p = s.params
      let a = s.byInstrument[bar.instrumentKey]
      if (a === undefined) {
        a = { fast: make(p.fast), slow: make(p.slow), prevDiff: Number.NaN }
        s.byInstrument[bar.instrumentKey] = a
      }
      const fast = a.fast.update(bar.closePaise)
      const slow = a.slow.update(bar.closePaise)
      const diff = fast - slow
      const prev = a.prevDiff
      a.prevDiff = diff
      if (Number.isNaN(diff) || Number.isNaN(prev)) return undefined
      // The reason's text is built only when there is a signal: formatting on every bar costs more than the averages.
      if (prev <= 0 && diff > 0 && ctx.positionQty <= 0) {
        return {
          intent: 'LONG',
          qty: p.qty,
          confidence: 1,
          reason: `fast ${label}(${p.fast}) ${inr(fast)} crossed above slow ${label}(${p.slow}) ${inr(slow)}`,
          metadata: { fast, slow },
        }
      }
      if (prev >= 0 && diff < 0 && (ctx.positionQty > 0 || (p.allowShort && ctx.positionQty === 0))) {
        return {
          intent: p.allowShort ? 'SHORT' : 'FLAT',
          ...(p.allowShort ? { qty: p.qty } : {}),
          confidence: 1,
          reason: `fast ${label}(${p.fast}) ${inr(fast)} crossed below slow ${label}(${p.slow}) ${inr(slow)}`,
          metadata: { fast, slow },
        }
      }
      return undefined
    },
  })

export const smaCrossStrategy = crossStrategy(
  'sma-cross',
  'SMA',
  (n) => new Sma(n),
  (j: SmaState) => Sma.fromJSON(j),
)
export const emaCrossStrategy = crossStrategy(
  'ema-cross',
  'EMA',
  (n) => new Ema(n),
  (j: EmaState) => Ema.fromJSON(j),
)

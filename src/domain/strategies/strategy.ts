import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { SessionKind } from '../calendar/index.js'
import type { BarClosed, SignalIntent, SignalMetadata, SignalOrderType, TickReceived } from '../events/index.js'
import type { InstrumentKey, StrategyId } from '../ids/index.js'

// A strategy reacts and asks; it does not act. It gets a bar (or tick) and a read-only context, and returns at most
// one signal: a target (LONG/SHORT/FLAT, optionally through a limit or stop order) or CANCEL, with a reason. It never
// sees the broker, the journal or a logger. Its state is its own, updated in place, and must be plain JSON data (it is
// snapshotted with the engine).

export interface StrategyContext {
  readonly strategyId: StrategyId
  readonly instrumentKey: InstrumentKey
  /** This strategy's signed position in the instrument (positive long). */
  readonly positionQty: number
  /** Event time of what is being handled, epoch ms. */
  readonly ts: number
  /**
   * The NSE session of the event's IST date, from the trading calendar the engine was given; undefined on a day the
   * calendar has no session (or for an engine built without a calendar, as in some tests).
   */
  readonly session: SessionClock | undefined
}

/** A trading session's normal-market bounds (epoch ms) and kind: Muhurat and special sessions keep other hours. */
export interface SessionClock {
  readonly openMs: number
  readonly closeMs: number
  readonly kind: SessionKind
}

/**
 * A priced order for a signal (default: MARKET). LIMIT needs `limitPricePaise`; SL (a stop that becomes a limit) both
 * prices; SL-M (a stop that becomes a market order) `triggerPricePaise`. Prices are whole paise. The order rests until
 * it fills, a CANCEL signal withdraws it, or its day ends (docs/simulated-broker.md).
 */
export interface SignalOrder {
  readonly type: SignalOrderType
  readonly limitPricePaise?: number
  readonly triggerPricePaise?: number
}

export interface Signal {
  readonly intent: SignalIntent
  /** Target quantity for LONG/SHORT; ignored for FLAT and CANCEL. */
  readonly qty?: number
  /** In [0, 1]. */
  readonly confidence: number
  readonly reason: string
  readonly metadata?: SignalMetadata
  /** How to reach the target; absent: a MARKET order. Ignored for CANCEL. */
  readonly order?: SignalOrder
}

export interface StrategyDefinition<P, S> {
  /** The registered kind, e.g. `sma-cross`; instances get their own StrategyId. */
  readonly kind: string
  readonly description: string
  /** Decodes user params (JSON) into P, filling defaults; errors name the bad field. */
  readonly params: t.Type<P, unknown, unknown>
  readonly init: (params: P, instruments: readonly InstrumentKey[]) => S
  /**
   * Rebuilds the state from its JSON (a snapshot). Needed when the state holds objects (indicators serialize with
   * `toJSON`); plain-data states can leave it out.
   */
  readonly restore?: (json: unknown) => S
  /** `bar` and `ctx` are valid during the call only: the engine refills them for the next one. */
  readonly onBar: (state: S, bar: BarClosed['payload'], ctx: StrategyContext) => Signal | undefined
  readonly onTick?: (state: S, tick: TickReceived['payload'], ctx: StrategyContext) => Signal | undefined
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of many param and state types
export type AnyStrategy = StrategyDefinition<any, any>

export const defineStrategy = <P, S>(def: StrategyDefinition<P, S>): StrategyDefinition<P, S> => def

export type StrategyRegistry = ReadonlyMap<string, AnyStrategy>

export const createStrategyRegistry = (defs: readonly AnyStrategy[]): StrategyRegistry => {
  const m = new Map<string, AnyStrategy>()
  for (const d of defs) {
    if (m.has(d.kind)) throw new Error(`strategy kind "${d.kind}" registered twice`)
    m.set(d.kind, d)
  }
  return m
}

/**
 * A params codec with defaults: missing fields take the default, present fields must decode, unknown fields are an
 * error (a typo in a param name should not silently run the default).
 */
export const paramsWithDefaults = <P extends t.Props>(props: P, defaults: t.TypeOf<t.TypeC<P>>, name: string) => {
  const exact = t.exact(t.type(props))
  return new t.Type<t.TypeOf<t.TypeC<P>>, unknown, unknown>(
    name,
    (u): u is t.TypeOf<t.TypeC<P>> => exact.is(u),
    (u, c) => {
      if (u === undefined || u === null) return t.success(defaults)
      if (typeof u !== 'object' || Array.isArray(u)) return t.failure(u, c, `${name} params must be a JSON object`)
      const unknown = Object.keys(u).filter((k) => !(k in props))
      if (unknown.length > 0) {
        return t.failure(
          u,
          c,
          `unknown ${name} param(s): ${unknown.join(', ')} (known: ${Object.keys(props).join(', ')})`,
        )
      }
      const merged = { ...defaults, ...(u as object) }
      const r = exact.validate(merged, c)
      return E.isLeft(r) ? r : t.success(r.right as t.TypeOf<t.TypeC<P>>)
    },
    (a) => a,
  )
}

/**
 * Decode errors of params (or any configuration) as one line: each error's own message where the codec gave one
 * (`paramsWithDefaults` names unknown fields), else the field (or `params`, for a rule over several fields such as
 * sma-cross's fast < slow), the codec that refused it, and the value.
 */
export const describeParamsErrors = (errs: t.Errors): string => errs.map(describeParamsError).join('; ')

const describeParamsError = (e: t.ValidationError): string => {
  if (e.message !== undefined) return e.message
  const path = e.context
    .map((c) => c.key)
    .filter(Boolean)
    .join('.')
  return `${path || 'params'}: expected ${e.context.at(-1)?.type.name ?? 'a valid value'}, got ${JSON.stringify(e.value)}`
}

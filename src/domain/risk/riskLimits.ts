import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

// Risk limits are configuration, recorded in the journal (`RiskLimitsConfigured`) so a replay applies the same
// limits without reading any file. Every limit is optional; an absent limit is not checked. Money in paise.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')

export const InstrumentLimits = t.partial({
  /** Largest absolute position a strategy may hold in the instrument. */
  maxQty: PositiveInt,
  /** Largest absolute position value (qty x price) a strategy may hold in the instrument, in paise. */
  maxNotionalPaise: PositiveInt,
})
export type InstrumentLimits = t.TypeOf<typeof InstrumentLimits>

export const RiskLimits = t.partial({
  /** Defaults for every instrument (per strategy and instrument). */
  maxQty: PositiveInt,
  maxNotionalPaise: PositiveInt,
  /** Sum over instruments of |net qty x mark| across the account, in paise. */
  maxGrossExposurePaise: PositiveInt,
  /** Orders with a first fill today (IST), after which only orders that reduce a position pass. */
  maxDailyTrades: PositiveInt,
  /** Loss since the start of the IST day (equity, so unrealized counts), at which trading halts. */
  maxDailyLossPaise: PositiveInt,
  /** Fall from peak equity at which trading halts. */
  maxDrawdownPaise: PositiveInt,
  /** Order submissions in any one-second window; Upstox allows 10 order requests a second. */
  maxOrdersPerSecond: PositiveInt,
  /** Per-instrument overrides of maxQty and maxNotionalPaise, keyed by instrument key. */
  instruments: t.record(t.string, InstrumentLimits),
})
export type RiskLimits = t.TypeOf<typeof RiskLimits>

export const DEFAULT_RISK_LIMITS: RiskLimits = { maxOrdersPerSecond: 10 }

/**
 * The most submissions a second the order-rate rule can count (the risk state keeps this many recent ones). Checked
 * when limits are configured, not in the event's codec, so that a journal recorded with more still reads.
 */
export const MAX_ORDERS_PER_SECOND = 64

const KNOWN = new Set(Object.keys(RiskLimits.props))
const KNOWN_INSTRUMENT = new Set(Object.keys(InstrumentLimits.props))

/**
 * Decodes limits from configuration (JSON). Unknown names are errors, not ignored: a misspelt limit must not
 * silently leave trading unlimited. The error names the field and what was wrong with it.
 */
export const decodeRiskLimits = (u: unknown): E.Either<string, RiskLimits> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left('risk limits must be a JSON object')
  const unknown = Object.keys(u).filter((k) => !KNOWN.has(k))
  if (unknown.length > 0)
    return E.left(`unknown risk limit(s): ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})`)
  const instruments = (u as { instruments?: unknown }).instruments
  if (typeof instruments === 'object' && instruments !== null) {
    for (const [key, v] of Object.entries(instruments)) {
      const bad = typeof v === 'object' && v !== null ? Object.keys(v).filter((k) => !KNOWN_INSTRUMENT.has(k)) : []
      if (bad.length > 0)
        return E.left(`instruments.${key}: unknown limit(s): ${bad.join(', ')} (known: maxQty, maxNotionalPaise)`)
    }
  }
  const r = RiskLimits.decode(u)
  if (E.isRight(r)) {
    const rate = r.right.maxOrdersPerSecond
    if (rate !== undefined && rate > MAX_ORDERS_PER_SECOND)
      return E.left(
        `maxOrdersPerSecond: at most ${MAX_ORDERS_PER_SECOND} can be checked (Upstox allows 10 a second), got ${rate}`,
      )
    return E.right(r.right)
  }
  const first = r.left[0]!
  const path = first.context
    .map((c) => c.key)
    .filter(Boolean)
    .join('.')
  return E.left(
    `${path}: expected ${first.context.at(-1)?.type.name ?? 'a valid value'}, got ${JSON.stringify(first.value)}`,
  )
}

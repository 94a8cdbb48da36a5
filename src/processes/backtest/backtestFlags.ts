import * as E from 'fp-ts/lib/Either.js'
import { ExitConfig, type SimulatorConfig } from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { DEFAULT_RISK_LIMITS, decodeRiskLimits, type RiskLimits } from '../../domain/risk/index.js'
import { DEFAULT_SIMULATOR_CONFIG } from '../../projections/index.js'
import type { BacktestRequest, ExitFlags } from './backtestPlan.js'

// The flags a backtest shares with sweeps and live sessions, read into configuration: exits, the simulated broker and
// risk limits. Every refusal names the flag and why.

/**
 * The exits from `--square-off`, `--stop-loss`, `--take-profit`, `--trailing-stop` and `--resting-exits` (`bahi
 * backtest`, `sweep` and `run` take the same); a delivery product has no square-off unless one is asked for.
 */
export const exitConfigOf = (r: ExitFlags, product: 'I' | 'D'): E.Either<string, ExitConfig> => {
  const exits: Record<string, unknown> = {}
  // Delivery positions are held overnight: no square-off unless one is asked for.
  if (product === 'D' && r.squareOff === undefined) exits.squareOff = 'off'
  if (r.squareOff !== undefined) {
    if (!ExitConfig.props.squareOff.is(r.squareOff))
      return E.left(`--square-off must be HH:MM or off, got ${r.squareOff}`)
    exits.squareOff = r.squareOff
  }
  for (const [flag, field, text] of [
    ['stop-loss', 'stopLossPct', r.stopLoss],
    ['take-profit', 'takeProfitPct', r.takeProfit],
    ['trailing-stop', 'trailingStopPct', r.trailingStop],
  ] as const) {
    if (text === undefined) continue
    const pct = Number(text)
    if (text.trim() === '' || !ExitConfig.props[field].is(pct))
      return E.left(`--${flag} must be a percentage above 0 and below 100, got ${text}`)
    exits[field] = pct
  }
  if (r.restingExits) {
    if (exits.stopLossPct === undefined && exits.takeProfitPct === undefined && exits.trailingStopPct === undefined)
      return E.left(
        '--resting-exits rests the stop loss, trailing stop and take profit as orders: give --stop-loss, --trailing-stop or --take-profit',
      )
    exits.resting = true
  }
  const decoded = ExitConfig.decode(exits)
  // Each field was checked above with its own codec: a refusal here is a bug.
  if (E.isLeft(decoded)) throw new Error(`exit config ${JSON.stringify(exits)} refused after its fields passed`)
  return decoded
}

/**
 * The simulated broker from `--fill-model`, `--fees`, `--slippage`, `--participation`, `--latency` and
 * `--fill-probability`.
 */
export const simulatorOf = (r: BacktestRequest): E.Either<string, SimulatorConfig> => {
  const fillModel = r.fillModel ?? 'next-open'
  if (fillModel !== 'next-open' && fillModel !== 'touch')
    return E.left(`--fill-model must be next-open or touch, got ${fillModel}`)
  const fees = r.fees ?? 'upstox'
  if (fees !== 'zero' && fees !== 'upstox') return E.left(`--fees must be zero or upstox, got ${fees}`)
  let participation: number | undefined
  if (r.participation !== undefined) {
    participation = Number(r.participation)
    if (r.participation.trim() === '' || !(participation > 0 && participation <= 1))
      return E.left(`--participation must be a share of volume above 0 and at most 1, got ${r.participation}`)
  }
  const latencyMs = r.latency === undefined ? 0 : Number(r.latency)
  if (r.latency !== undefined && (r.latency.trim() === '' || !Number.isSafeInteger(latencyMs) || latencyMs < 0))
    return E.left(`--latency must be a whole number of milliseconds, got ${r.latency}`)
  const limitFillProbability =
    r.fillProbability === undefined ? DEFAULT_SIMULATOR_CONFIG.limitFillProbability : Number(r.fillProbability)
  if (
    r.fillProbability !== undefined &&
    (r.fillProbability.trim() === '' || !(limitFillProbability > 0 && limitFillProbability <= 1))
  )
    return E.left(`--fill-probability must be a chance above 0 and at most 1, got ${r.fillProbability}`)
  if (r.fillProbability !== undefined && fillModel !== 'touch')
    return E.left('--fill-probability applies to limits touched inside a bar: use it with --fill-model touch')
  return E.right({
    ...DEFAULT_SIMULATOR_CONFIG,
    fillModel,
    charges: fees,
    slippageTicks: r.slippageTicks,
    latencyMs,
    limitFillProbability,
    ...(participation === undefined ? {} : { participation }),
  })
}

/**
 * `--limits` (parsed JSON) over the default order rate (Upstox's 10 a second) for `bahi backtest`, `sweep` and `run`.
 * Decoded with `decodeRiskLimits`, not the bare codec: a misspelt limit is refused, never dropped (dropped, it would
 * leave trading unlimited).
 */
export const riskLimitsOf = (
  given: unknown,
  instruments: readonly { readonly symbol: string; readonly instrumentKey: InstrumentKey }[],
): E.Either<string, RiskLimits> => {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given)))
    return E.left('--limits must be a JSON object of risk limits (see docs/risk.md)')
  const limits = decodeRiskLimits({ ...DEFAULT_RISK_LIMITS, ...(given as object | undefined) })
  if (E.isLeft(limits)) return E.left(`bad --limits: ${limits.left}`)
  const perInstrument = limits.right.instruments
  if (perInstrument === undefined) return limits
  // The rules look limits up by instrument key: one keyed by a symbol, or by an instrument the run does not trade,
  // would never apply, and the position it was meant to cap would run unchecked.
  const byKey: Record<string, NonNullable<RiskLimits['instruments']>[string]> = {}
  for (const [name, l] of Object.entries(perInstrument)) {
    const i = instruments.find((x) => x.instrumentKey === name || x.symbol === name.toUpperCase())
    if (i === undefined) {
      const run = instruments.map((x) => `${x.symbol} (${x.instrumentKey})`).join(', ')
      return E.left(`bad --limits: instruments.${name} is not an instrument of this run (${run})`)
    }
    if (byKey[i.instrumentKey] !== undefined)
      return E.left(`bad --limits: instruments.${name}: ${i.symbol} (${i.instrumentKey}) has limits twice`)
    byKey[i.instrumentKey] = l
  }
  return E.right({ ...limits.right, instruments: byKey })
}

import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { startControlServer } from '../../../adapters/control/index.js'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS } from '../../../adapters/synthetic/index.js'
import {
  createUpstoxBroker,
  describeUpstoxConfigError,
  loadUpstoxConfig,
  storedToken,
} from '../../../adapters/upstox/index.js'
import {
  createMarketFeedClient,
  createPortfolioStreamClient,
  describeFeedError,
  type FeedMode,
  loadMarketFeedProto,
} from '../../../adapters/upstoxFeed/index.js'
import { instrumentSymbolsOf, type StrategyParams } from '../../../domain/events/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import { inrToPaise } from '../../../domain/money/index.js'
import { describeParamsErrors } from '../../../domain/strategies/index.js'
import { describeJournalError, openFileJournal, openJournalReader } from '../../../journal/index.js'
import { DEFAULT_SIMULATOR_CONFIG, positionKey } from '../../../projections/index.js'
import { exitConfigOf, instrumentName, riskLimitsOf, withStoreSymbols } from '../../backtest/index.js'
import { builtinEngineConfig, createBuiltinEngine } from '../../engine/index.js'
import { verifyJournal } from '../../replay/index.js'
import { createTradingSession, feedAuthorizer, sessionHeader } from '../../runner/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { journalsDir, marketStorePath, sealedInstrumentsDir } from '../home.js'

// `bahi run`: paper or live trading on the Upstox market feed. Paper (the default) fills in the engine's simulated
// broker against the live ticks; `--live` places real orders through the Upstox adapter. Either way the session is a
// journal that `bahi replay --verify` re-derives. Point it at the local exchange with UPSTOX_BASE_URL (bahi sandbox)
// and a token from `bahi login`. It runs until SIGINT/SIGTERM or `--duration`, then records RunEnded, verifies the
// journal and prints a summary.

export interface RunOptions {
  readonly home: string
  readonly json: boolean
  readonly codeVersion: string
  readonly strategy?: string
  /** Already parsed JSON. */
  readonly params?: unknown
  readonly instruments?: string
  readonly live: boolean
  readonly feedMode?: string
  readonly capitalInr: number
  readonly squareOff?: string
  readonly stopLoss?: string
  readonly takeProfit?: string
  readonly trailingStop?: string
  /** The stop loss and take profit as orders at the venue (docs/exits.md). */
  readonly restingExits?: boolean
  /** `I` intraday (default) or `D` delivery. */
  readonly product?: string
  /** Risk limits as JSON (`RiskLimits`); default an order rate of 10/s. */
  readonly limits?: unknown
  readonly durationSeconds?: number
  readonly out?: string
  readonly symbolsPath: string
  /** Stops the session when it settles (tests); otherwise SIGINT/SIGTERM or the duration do. */
  readonly until?: Promise<unknown>
}

export const runCommand = async (
  o: RunOptions,
  io: CliIo,
  log: Logger,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ExitCode> => {
  const fail = (msg: string, code: ExitCode = 2): ExitCode => {
    io.err(`bahi run: ${msg}`)
    return code
  }
  // ---- what to run -------------------------------------------------------------------------------------------
  const strategies = builtinEngineConfig.strategies
  const kinds = [...strategies.keys()].join(', ')
  if (o.strategy === undefined) return fail(`--strategy is required (one of: ${kinds})`)
  const def = strategies.get(o.strategy)
  if (def === undefined) return fail(`unknown strategy "${o.strategy}" (known: ${kinds})`)
  const params = def.params.decode(o.params ?? {})
  if (E.isLeft(params)) return fail(`bad --params for ${o.strategy}: ${describeParamsErrors(params.left)}`)
  const product = o.product ?? 'I'
  if (product !== 'I' && product !== 'D') return fail(`--product must be I (intraday) or D (delivery), got ${product}`)
  const exits = exitConfigOf(
    {
      squareOff: o.squareOff,
      stopLoss: o.stopLoss,
      takeProfit: o.takeProfit,
      trailingStop: o.trailingStop,
      restingExits: o.restingExits === true,
    },
    product,
  )
  if (E.isLeft(exits)) return fail(exits.left)
  const modeFlag = o.feedMode ?? 'full'
  if (modeFlag !== 'full' && modeFlag !== 'ltpc') return fail(`--feed-mode must be full or ltpc, got ${o.feedMode}`)
  const feedMode: FeedMode = modeFlag
  if (o.durationSeconds !== undefined && !(o.durationSeconds > 0))
    return fail(`--duration must be a positive number of seconds, got ${o.durationSeconds}`)
  const capitalPaise = inrToPaise(o.capitalInr)
  if (!Number.isSafeInteger(capitalPaise) || capitalPaise <= 0) return fail(`--capital ${o.capitalInr} is not usable`)
  // Trading symbols of an instrument master imported into the store (or the one it last sealed, beside a writer)
  // name instruments too, before the packaged table's, as in backtests.
  const symbols = (await withStoreSymbols(marketStorePath(o.home), sealedInstrumentsDir(o.home), loadSymbolTable, log))(
    o.symbolsPath,
  )
  if (E.isLeft(symbols)) return fail(`symbol table ${o.symbolsPath}: ${JSON.stringify(symbols.left)}`)
  const wanted = (o.instruments ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (wanted.length === 0) return fail('--instruments is required: trading symbols or instrument keys, comma-separated')
  const resolved: { symbol: string; instrumentKey: InstrumentKey }[] = []
  const unknown: string[] = []
  for (const w of wanted) {
    const key = InstrumentKey.is(w)
      ? w
      : (symbols.right.get(w.toUpperCase()) ??
        DEFAULT_SYNTHETIC_INSTRUMENTS.find((i) => i.symbol === w.toUpperCase())?.instrumentKey)
    if (key === undefined || !InstrumentKey.is(key)) unknown.push(w)
    else resolved.push({ symbol: instrumentName(w, key, symbols.right), instrumentKey: key })
  }
  if (unknown.length > 0)
    return fail(
      `unknown instrument(s) ${unknown.join(', ')}: use instrument keys, symbols of data/instruments/nse-symbols.csv, ` +
        'or trading symbols of an Upstox instrument master imported into the store (bahi import NSE.json)',
    )
  const instruments = resolved.map((i) => i.instrumentKey)
  const instrumentSymbols = instrumentSymbolsOf(resolved)
  const limits = riskLimitsOf(o.limits, resolved)
  if (E.isLeft(limits)) return fail(limits.left)

  // ---- the outside world -------------------------------------------------------------------------------------
  const config = loadUpstoxConfig(o.home, env)
  if (E.isLeft(config)) return fail(describeUpstoxConfigError(config.left))
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return fail(describeCalendarLoadError(calendar.left))
  const proto = await loadMarketFeedProto()
  if (E.isLeft(proto)) return fail(describeFeedError(proto.left), 1)
  const nowMs = () => Date.now()
  const broker = createUpstoxBroker({
    config: config.right,
    log,
    nowMs,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    token: storedToken(o.home, env, nowMs),
  })
  const mode = o.live ? 'live' : 'paper'
  const stamp = new Date(nowMs()).toISOString().replace(/[-:]/g, '').slice(0, 15)
  const runId = `${mode}-${stamp}-${randomBytes(3).toString('hex')}`
  const dir = o.out ?? join(journalsDir(o.home), runId)
  if (existsSync(dir)) return fail(`${dir} exists: a session writes a new journal (resuming one is not supported yet)`)
  const opened = openFileJournal(dir, { log: log.child({ component: 'journal' }) })
  if (E.isLeft(opened)) return fail(describeJournalError(opened.left), 1)
  const journal = opened.right
  const engine = createBuiltinEngine()
  const session = createTradingSession({
    journal,
    engine,
    state: engine.initialState(),
    calendar: calendar.right,
    ...(o.live ? { broker } : {}),
    log: log.child({ component: 'session' }),
    nowMs,
  })
  const strategy = {
    kind: o.strategy,
    params: params.right as StrategyParams,
    exits: exits.right,
    ...(product === 'D' ? { product: 'D' as const } : {}),
  }
  for (const d of sessionHeader({
    runId,
    mode,
    startedMs: nowMs(),
    capitalPaise,
    codeVersion: o.codeVersion,
    strategy,
    instruments,
    ...(instrumentSymbols === undefined ? {} : { instrumentSymbols }),
    limits: limits.right,
    simulator: DEFAULT_SIMULATOR_CONFIG,
    data: { feed: config.right.baseUrl, mode: feedMode },
  })) {
    const r = await session.handle(d)
    if (E.isLeft(r)) {
      await journal.close()
      return fail(`journal: ${JSON.stringify(r.left)}`, 1)
    }
  }
  let feedFailure: string | undefined
  let closing = false
  let stop: (why: string) => void = () => {}
  const stopped = new Promise<string>((resolve) => {
    stop = resolve
  })
  const feed = createMarketFeedClient({
    authorize: feedAuthorizer(broker, 'market'),
    feedType: proto.right,
    log: log.child({ component: 'feed' }),
    onTicks: session.onTicks,
    onStatus: (s) => {
      io.err(`run: feed ${s.status}${s.reason === undefined ? '' : ` (${s.reason})`}`)
      session.onFeedStatus(s)
      // Closed without our asking: the client gave up (an expired or refused token), and so does the session.
      if (s.status === 'closed' && !closing && feed.lastError() !== undefined) {
        feedFailure = describeFeedError(feed.lastError()!)
        stop('feed closed')
      }
    },
  })
  const subscribed = feed.subscribe(instruments, feedMode)
  if (E.isLeft(subscribed)) {
    await journal.close()
    return fail(`cannot subscribe: ${subscribed.left.requested} keys in ${feedMode} (limit ${subscribed.left.limit})`)
  }
  // The operator's way in (bahi kill-switch, bahi strategy): opened before any tick, since a session that cannot be
  // halted by hand does not start.
  const control = await startControlServer({
    dir,
    onCommand: session.operate,
    log: log.child({ component: 'operator' }),
  })
  if (E.isLeft(control)) {
    await journal.close()
    return fail(control.left, 1)
  }
  // Live, the portfolio stream's pushes make the session reconcile at once instead of at its next poll: a fill (and the
  // cancel of a resting exit's other leg) within a round trip of the venue's update. The polls go on underneath.
  const portfolio = o.live
    ? createPortfolioStreamClient({
        authorize: feedAuthorizer(broker, 'portfolio'),
        log: log.child({ component: 'portfolio' }),
        onOrderUpdate: (u) => {
          if (u.orderUpdated !== undefined) session.nudge()
        },
        onStatus: (s) => {
          io.err(`run: portfolio stream ${s.status}${s.reason === undefined ? '' : ` (${s.reason})`}`)
          session.onFeedStatus(s)
        },
      })
    : undefined
  feed.start()
  portfolio?.start()
  session.start()
  io.err(`run: ${mode} ${o.strategy} on ${wanted.join(', ')}; journal ${dir} (Ctrl-C to stop)`)
  io.err(`run: operator channel open: bahi kill-switch ${dir} engage --reason TEXT (or release; bahi strategy)`)
  const onSignal = () => stop('stopped by signal')
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const timer =
    o.durationSeconds === undefined ? undefined : setTimeout(() => stop('duration over'), o.durationSeconds * 1000)
  void o.until?.then(() => stop('stopped'))
  const reason = await stopped
  if (timer !== undefined) clearTimeout(timer)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  closing = true
  await control.right.close()
  await feed.close()
  await portfolio?.close()
  const ended = await session.stop(runId, reason)
  await journal.close()
  if (E.isLeft(ended)) return fail(`the session halted: ${JSON.stringify(ended.left)}`, 1)
  // ---- the audit -----------------------------------------------------------------------------------------------
  const reader = openJournalReader(dir)
  if (E.isLeft(reader)) return fail(describeJournalError(reader.left), 1)
  const verified = await verifyJournal(reader.right, createBuiltinEngine())
  await reader.right.close()
  if (E.isLeft(verified)) return fail(verified.left, 1)
  const state = verified.right.state
  const c = session.counters()
  const positions = resolved.map((i) => ({
    instrumentKey: i.instrumentKey,
    symbol: i.symbol,
    qty: state.trading.portfolio.positions.get(positionKey(`${o.strategy}.1`, i.instrumentKey))?.qty ?? 0,
  }))
  const summary = {
    runId,
    mode,
    reason,
    journal: dir,
    ticks: c.ticks,
    bars: c.bars,
    events: verified.right.events,
    orders: state.trading.orderCount,
    ordersPlaced: c.ordersPlaced,
    brokerErrors: c.brokerErrors,
    ...(o.live ? { venueUpdates: c.nudges } : {}),
    positions,
    realizedPnl: state.trading.portfolio.realizedPaise / 100,
    fees: state.trading.portfolio.feesPaise / 100,
    verify: { divergences: verified.right.divergence === undefined ? 0 : 1 },
    ...(feedFailure === undefined ? {} : { feedFailure }),
  }
  printResult(io, o.json, summary, [
    `bahi run: ${mode} session ${runId} ended (${reason})`,
    `  ticks ${c.ticks}, bars ${c.bars}, events ${verified.right.events}, orders ${state.trading.orderCount}${o.live ? ` (${c.ordersPlaced} placed on Upstox, ${c.brokerErrors} broker errors)` : ''}`,
    `  positions: ${positions.map((p) => `${p.symbol} ${p.qty}`).join(', ')}`,
    `  realized PnL ${summary.realizedPnl.toFixed(2)} INR, fees ${summary.fees.toFixed(2)} INR`,
    ...(feedFailure === undefined ? [] : [`  the feed stopped: ${feedFailure}`]),
    `  audit replay: ${verified.right.events} events, ${summary.verify.divergences} divergences`,
    `  journal: ${dir}`,
  ])
  return feedFailure === undefined && verified.right.divergence === undefined ? 0 : 1
}

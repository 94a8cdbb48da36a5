import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { afterEach, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS } from '../../src/adapters/synthetic/index.js'
import {
  createMarketFeedClient,
  createPortfolioStreamClient,
  loadMarketFeedProto,
} from '../../src/adapters/upstoxFeed/index.js'
import type { BarDays } from '../../src/adapters/upstoxSandbox/index.js'
import type { BarClosed, Envelope, EventDraft, ExitConfig } from '../../src/domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../src/domain/ids/index.js'
import { createStrategyRegistry, defineStrategy, paramsWithDefaults } from '../../src/domain/strategies/index.js'
import { addIstDays, istMidnight } from '../../src/domain/time/index.js'
import { type Journal, openFileJournal, openJournalReader } from '../../src/journal/index.js'
import { verifyJournal } from '../../src/processes/replay/index.js'
import { createTradingSession, feedAuthorizer, sessionHeader } from '../../src/processes/runner/index.js'
import { createEngine, DEFAULT_SIMULATOR_CONFIG, positionKey } from '../../src/projections/index.js'
import { RELIANCE, startUpstoxHarness, type UpstoxHarness } from '../upstox/upstoxHarness.js'
import { waitFor } from '../upstoxFeed/feedClientHarness.js'

// A trading session end to end on loopback: the sandbox's V3 feed into our feed client, ticks into bars and the
// engine through the live driver, and (live) orders out through the Upstox adapter with the venue's reports polled
// back in. The same strategy also runs paper (the engine's simulator fills on the live ticks). Each journal then
// replays with no divergence.

/** Goes long on the `enterAt`-th tick of an instrument and flat on the `exitAt`-th: a strategy that trades fast. */
const tickProbe = defineStrategy({
  kind: 'tick-probe',
  description: 'long on tick N, flat on tick M (tests)',
  params: paramsWithDefaults(
    { enterAt: t.number, exitAt: t.number, qty: t.number },
    { enterAt: 3, exitAt: 12, qty: 5 },
    'tick-probe',
  ),
  init: (params) => ({ params, ticks: {} as Record<string, number> }),
  onBar: () => undefined,
  onTick: (s, tick, ctx) => {
    const n = (s.ticks[tick.instrumentKey] ?? 0) + 1
    s.ticks[tick.instrumentKey] = n
    if (n === s.params.enterAt && ctx.positionQty === 0)
      return { intent: 'LONG', qty: s.params.qty, confidence: 1, reason: `tick ${n}` }
    if (n === s.params.exitAt) return { intent: 'FLAT', confidence: 1, reason: `tick ${n}` }
    return undefined
  },
})

const config = { strategies: createStrategyRegistry([tickProbe]) }
const calendar = (() => {
  const c = loadCalendar()
  if (E.isLeft(c)) throw new Error('no calendar')
  return c.right
})()

/**
 * RELIANCE at 1,000.00 every minute of every session, except the replay day (the harness's fourth session): flat for
 * 10 minutes, then up 2.50 a minute to 1,012.50, down 10.00 a minute to 972.50, and flat again. A long entered in the
 * flat start with a 1% stop and a 1% target at the venue sees its target fill on the way up (at 1,010.00, the 14th
 * minute) and its stop 16 ticks later on the way down (at 982.50, the 18th), unless the stop is cancelled in between.
 */
const raceDays = function* (): BarDays {
  const price = (day: number, m: number): number => {
    if (day !== 3 || m < 10) return 100_000
    if (m < 15) return 100_000 + (m - 9) * 250
    if (m < 19) return 101_250 - (m - 14) * 1_000
    return 97_250
  }
  let date = '2025-01-01'
  for (let day = 0; ; date = addIstDays(date, 1)!) {
    const session = calendar.sessionOn(date)
    if (session === undefined) continue
    const bars: EventDraft<BarClosed>[] = []
    const open = istMidnight(date)! + session.openSec * 1000
    for (let m = 0; m < (session.closeSec - session.openSec) / 60; m++) {
      const [o, c] = [m === 0 ? price(day, 0) : price(day, m - 1), price(day, m)]
      const openMs = open + m * 60_000
      bars.push({
        type: 'BarClosed',
        ts: openMs + 60_000,
        payload: {
          instrumentKey: unsafe.instrumentKey(RELIANCE),
          timeframe: '1m',
          openMs,
          openPaise: o,
          highPaise: Math.max(o, c),
          lowPaise: Math.min(o, c),
          closePaise: c,
          volume: 10_000,
        } as BarClosed['payload'],
      })
    }
    yield bars
    day++
  }
}

/** The audit replay of a session's journal: its first divergence (none, when every decision re-derives) and length. */
const replayed = async (dir: string): Promise<{ divergence: unknown; events: number }> => {
  const reader = openJournalReader(dir)
  if (E.isLeft(reader)) throw new Error(reader.left._tag)
  const verified = await verifyJournal(reader.right, createEngine(config))
  await reader.right.close()
  if (E.isLeft(verified)) throw new Error(verified.left)
  return { divergence: verified.right.divergence, events: verified.right.events }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const freshJournal = (): { dir: string; journal: Journal } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-session-'))
  const opened = openFileJournal(path.join(dir, 'journal'))
  if (E.isLeft(opened)) throw new Error(opened.left._tag)
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
  return { dir: path.join(dir, 'journal'), journal: opened.right }
}

interface SessionPlan {
  /** The strategy's exits (default: no square-off, nothing else). */
  readonly exits?: ExitConfig
  /** The tick-probe's params (default: long 5 on tick 3, flat on tick 12). */
  readonly params?: Record<string, number>
  /** What the session does once long (default: step until flat again after tick 12). */
  readonly whileLong?: (
    step: (cond: () => boolean, what: string) => Promise<void>,
    cascades: Envelope[],
  ) => Promise<void>
  readonly settleMs?: number
  /** The venue's poll period (default 50 ms). */
  readonly pollMs?: number
  /** Live: the portfolio stream's pushes nudge the session to reconcile at once. */
  readonly portfolioStream?: boolean
}

const runSession = async (h: UpstoxHarness, mode: 'paper' | 'live', plan: SessionPlan = {}) => {
  const { dir, journal } = freshJournal()
  const engine = createEngine(config)
  const broker = h.broker()
  const cascades: Envelope[] = []
  const session = createTradingSession({
    journal,
    engine,
    state: engine.initialState(),
    calendar,
    ...(mode === 'live' ? { broker } : {}),
    log: h.log,
    nowMs: h.clock.nowMs,
    pollMs: plan.pollMs ?? 50,
    ...(plan.settleMs === undefined ? {} : { settleMs: plan.settleMs }),
    onCascade: (c) => cascades.push(...c),
  })
  const header = sessionHeader({
    runId: `test-${mode}`,
    mode,
    startedMs: h.clock.nowMs(),
    capitalPaise: 100_000_000,
    codeVersion: 'test',
    strategy: { kind: 'tick-probe', params: plan.params ?? {}, exits: plan.exits ?? { squareOff: 'off' } },
    instruments: [unsafe.instrumentKey(RELIANCE)],
    limits: { maxOrdersPerSecond: 10 },
    simulator: DEFAULT_SIMULATOR_CONFIG,
    data: { feed: h.sandbox.baseUrl },
  })
  for (const d of header) expect(E.isRight(await session.handle(d))).toBe(true)
  const proto = await loadMarketFeedProto()
  if (E.isLeft(proto)) throw new Error(proto.left._tag)
  const feed = createMarketFeedClient({
    authorize: feedAuthorizer(broker, 'market'),
    feedType: proto.right,
    log: h.log,
    onTicks: session.onTicks,
  })
  expect(E.isRight(feed.subscribe([unsafe.instrumentKey(RELIANCE)], 'full'))).toBe(true)
  const portfolio = plan.portfolioStream
    ? createPortfolioStreamClient({
        authorize: feedAuthorizer(broker, 'portfolio'),
        log: h.log,
        onOrderUpdate: (u) => {
          if (u.orderUpdated !== undefined) session.nudge()
        },
      })
    : undefined
  feed.start()
  portfolio?.start()
  session.start()
  cleanups.push(async () => feed.close())
  if (portfolio !== undefined) {
    cleanups.push(async () => portfolio.close())
    await waitFor(() => portfolio.status() === 'connected', 'portfolio stream connected')
  }
  await waitFor(() => feed.status() === 'connected', 'feed connected')
  // The subscription is in force once its snapshot has come (the market has not moved yet).
  await waitFor(() => session.counters().ticks > 0, 'the subscription snapshot')
  const qtyOf = () =>
    session.state().trading.portfolio.positions.get(positionKey('tick-probe.1', RELIANCE as InstrumentKey))?.qty ?? 0
  // One market step is one tick of each instrument; the probe buys on the 3rd tick and sells on the 12th.
  const stepUntil = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !cond(); i++) {
      h.sandbox.market.step(1)
      await new Promise((r) => setTimeout(r, 20))
    }
    await waitFor(cond, what)
  }
  await stepUntil(() => qtyOf() === 5, 'long 5')
  const longAt = session.counters().ticks
  if (plan.whileLong === undefined) await stepUntil(() => qtyOf() === 0 && session.counters().ticks >= 12, 'flat again')
  else await plan.whileLong(stepUntil, cascades)
  await feed.close()
  const stopped = await session.stop(`test-${mode}`, 'test over')
  expect(stopped).toEqual(E.right(undefined))
  await journal.close()
  return { dir, cascades, longAt, session }
}

describe('trading session', () => {
  it('live: orders go to the venue through the adapter, fills come back by polling, the journal replays', async () => {
    const h = await startUpstoxHarness()
    cleanups.push(() => h.close())
    const { dir, cascades, longAt } = await runSession(h, 'live')
    const types = cascades.map((e) => e.type)
    // the order left through the adapter, and the venue's answers are inputs in the journal
    expect(types.filter((x) => x === 'OrderSubmitted')).toHaveLength(2)
    expect(types.filter((x) => x === 'OrderAccepted')).toHaveLength(2)
    expect(types).toContain('OrderFilled')
    expect(longAt).toBeGreaterThanOrEqual(3)
    const submitted = cascades.filter((e) => e.type === 'OrderSubmitted')
    expect(submitted.map((e) => e.type === 'OrderSubmitted' && e.payload.venue)).toEqual(['upstox', 'upstox'])
    // the venue holds exactly our two orders, by our ids as tags, both complete
    const book = h.sandbox.orders.orderBook(h.sandbox.user.userId)
    const ids = cascades.flatMap((e) => (e.type === 'OrderRequested' ? [e.payload.orderId] : []))
    expect(book.map((o) => [o.tag, o.status])).toEqual(ids.map((id) => [id, 'complete']))
    // a fill report points back at its order's journalled history
    const fill = cascades.find((e) => e.type === 'OrderFilled')!
    expect(fill.causationId).toBeDefined()
    // and an audit replay re-derives every decision
    expect(await replayed(dir)).toEqual({ divergence: undefined, events: cascades.length })
  })

  it('live: a resting trailing stop is moved at the venue as the price rises, and the journal replays', async () => {
    const h = await startUpstoxHarness()
    cleanups.push(() => h.close())
    const confirmed = (cascades: readonly Envelope[]) => cascades.filter((e) => e.type === 'OrderModified')
    const { dir, cascades } = await runSession(h, 'live', {
      // A 3% trail on a quiet synthetic market: it is moved as new highs come, and not reached in the run.
      exits: { trailingStopPct: 3, resting: true, squareOff: 'off' },
      params: { exitAt: 1_000_000 },
      whileLong: (step, cascades) => step(() => confirmed(cascades).length >= 2, 'the stop moved twice'),
      settleMs: 100,
    })
    const stop = cascades.find((e) => e.type === 'OrderRequested' && e.payload.protects === 'stop-loss')
    if (stop?.type !== 'OrderRequested') throw new Error('no resting stop')
    const asked = cascades.filter((e) => e.type === 'OrderModifyRequested')
    const moved = confirmed(cascades)
    expect(moved.length).toBeGreaterThanOrEqual(2)
    // Each confirmation is the venue's answer to one request: same order, same trigger, caused by the request.
    for (const m of moved) {
      if (m.type !== 'OrderModified') continue
      const req = asked.find((a) => a.seq === m.causationId)
      expect(req?.type === 'OrderModifyRequested' && [req.payload.orderId, req.payload.triggerPricePaise]).toEqual([
        stop.payload.orderId,
        m.payload.triggerPricePaise,
      ])
    }
    // Moved up only, and the venue's order (found by our id as its tag) works at the last confirmed trigger.
    const triggers = moved.map((m) => (m.type === 'OrderModified' ? m.payload.triggerPricePaise! : 0))
    expect(triggers).toEqual([...triggers].sort((a, b) => a - b))
    expect(triggers[0]!).toBeGreaterThan(stop.payload.triggerPricePaise!)
    const atVenue = h.sandbox.orders.orderBook(h.sandbox.user.userId).find((o) => o.tag === stop.payload.orderId)
    expect([atVenue?.order_type, atVenue?.trigger_price, atVenue?.status]).toEqual([
      'SL-M',
      triggers.at(-1)! / 100,
      'trigger pending',
    ])
    // The confirmations are inputs; the requests are re-derived from them on replay.
    expect(await replayed(dir)).toEqual({ divergence: undefined, events: cascades.length })
  })

  it('live: when both legs of a resting exit fill at the venue before the cancel of the second lands, the session flattens what went past flat and rests nothing for it', async () => {
    const h = await startUpstoxHarness({
      instruments: DEFAULT_SYNTHETIC_INSTRUMENTS.filter((i) => i.instrumentKey === RELIANCE),
      days: raceDays(),
    })
    cleanups.push(() => h.close())
    const user = h.sandbox.user.userId
    const overfill = (cs: readonly Envelope[]) =>
      cs.findIndex((e) => e.type === 'ExitTriggered' && e.payload.exit === 'overfill')
    const { dir, cascades, session } = await runSession(h, 'live', {
      exits: { stopLossPct: 1, takeProfitPct: 1, resting: true, squareOff: 'off' },
      params: { exitAt: 1_000_000 },
      whileLong: async (step, cascades) => {
        // The flat start leaves 40 ticks for both exits to rest at the venue before the price moves.
        await waitFor(() => h.sandbox.orders.workingOrders(user).length === 2, 'the stop and the target resting')
        // The venue sits on the next cancel (the stop's, once the target fills) for 4 s: the price reaches the stop
        // 16 ticks after the target, about 0.3 s of this test's stepping.
        await h.fault({ kind: 'delay', ms: 4_000, count: 1, path: '/v2/order/cancel' })
        await step(() => {
          const at = overfill(cascades)
          return at >= 0 && cascades.slice(at).some((e) => e.type === 'OrderFilled' && e.payload.side === 'BUY')
        }, 'both legs filled, and what went past flat bought back')
      },
    })
    const requested = cascades.flatMap((e) => (e.type === 'OrderRequested' ? [e] : []))
    const stop = requested.find((e) => e.payload.protects === 'stop-loss')
    const target = requested.find((e) => e.payload.protects === 'take-profit')
    expect([stop?.payload.triggerPricePaise, target?.payload.limitPricePaise]).toEqual([99_000, 101_000])
    // Both legs filled at the venue: the target on the way up, the stop on the way down while its cancel was held.
    const status = (tag: string | undefined) => h.sandbox.orders.byTag(user, tag ?? '').map((o) => o.status)
    expect([status(target?.payload.orderId), status(stop?.payload.orderId)]).toEqual([['complete'], ['complete']])
    const at = overfill(cascades)
    const trigger = cascades[at]
    expect(trigger?.type === 'ExitTriggered' && trigger.payload.reason).toMatch(
      /^the stop-loss SELL 5 at \d+\.\d\d filled past flat: -5 to flatten$/,
    )
    // What went past flat was bought back at the market, and no exits were asked for the accidental short.
    const after = requested.filter((e) => e.seq > trigger!.seq)
    expect(after.map((e) => [e.payload.side, e.payload.qty, e.payload.orderType, e.payload.protects])).toEqual([
      ['BUY', 5, 'MARKET', undefined],
    ])
    const qty = session.state().trading.portfolio.positions.get(positionKey('tick-probe.1', RELIANCE as InstrumentKey))
    expect(qty?.qty ?? 0).toBe(0)
    expect(h.sandbox.orders.openPositions(user)).toEqual([])
    expect(h.sandbox.orders.workingOrders(user)).toEqual([])
    // The cancel that came too late was refused by the venue (the stop had filled): one broker error, nothing more.
    expect(session.counters().brokerErrors).toBe(1)
    expect(await replayed(dir)).toEqual({ divergence: undefined, events: cascades.length })
  })

  it('live: with the portfolio stream, fills are journalled as the venue pushes them, not at the next poll', async () => {
    const h = await startUpstoxHarness()
    cleanups.push(() => h.close())
    // A poll a minute: without the pushes, no fill would come back within the test.
    const { dir, cascades, session } = await runSession(h, 'live', { pollMs: 60_000, portfolioStream: true })
    const types = cascades.map((e) => e.type)
    expect(types.filter((x) => x === 'OrderFilled').length).toBeGreaterThanOrEqual(2)
    expect(session.counters().nudges).toBeGreaterThan(0)
    const book = h.sandbox.orders.orderBook(h.sandbox.user.userId)
    expect(book.map((o) => o.status)).toEqual(['complete', 'complete'])
    expect(await replayed(dir)).toEqual({ divergence: undefined, events: cascades.length })
  })

  it('paper: the simulated broker fills on the live ticks, nothing reaches the venue, the journal replays', async () => {
    const h = await startUpstoxHarness()
    cleanups.push(() => h.close())
    const { dir, cascades } = await runSession(h, 'paper')
    const types = cascades.map((e) => e.type)
    expect(types.filter((x) => x === 'OrderFilled')).toHaveLength(2)
    expect(h.sandbox.orders.orderBook(h.sandbox.user.userId)).toEqual([])
    // the bars built from the feed's ticks (by exchange time) match the venue's own minute candles
    const bars = cascades.flatMap((e) => (e.type === 'BarClosed' ? [e.payload] : []))
    expect(bars.length).toBeGreaterThanOrEqual(2)
    const res = await fetch(
      `${h.sandbox.baseUrl}/v2/historical-candle/intraday/${encodeURIComponent(RELIANCE)}/1minute`,
    )
    const candles = ((await res.json()) as { data: { candles: [string, number, number, number, number][] } }).data
      .candles
    const venue = new Map(
      candles.map(([ts, o, hi, lo, c]) => [Date.parse(ts), [o, hi, lo, c].map((x) => Math.round(x * 100))]),
    )
    for (const b of bars)
      expect([b.openMs, b.openPaise, b.highPaise, b.lowPaise, b.closePaise]).toEqual([
        b.openMs,
        ...venue.get(b.openMs)!,
      ])
    expect(await replayed(dir)).toEqual({ divergence: undefined, events: cascades.length })
  })
})

import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import pino from 'pino'
import { loadCalendar } from '../src/adapters/calendar/index.js'
import { createUpstoxBroker, fixedToken, UPSTOX_DEFAULTS } from '../src/adapters/upstox/index.js'
import { createMarketFeedClient, loadMarketFeedProto, type TickPayload } from '../src/adapters/upstoxFeed/index.js'
import { unsafe } from '../src/domain/ids/index.js'
import { createStrategyRegistry, defineStrategy, paramsWithDefaults } from '../src/domain/strategies/index.js'
import { openFileJournal } from '../src/journal/index.js'
import { createTradingSession, sessionHeader } from '../src/processes/runner/index.js'
import { createEngine, DEFAULT_SIMULATOR_CONFIG } from '../src/projections/index.js'
import type { VenueConfig, VenueMessage } from './tickToOrderVenue.js'

// Latency from a tick frame arriving to the order request it causes leaving the adapter (issue 5), at 1,000 and at
// 10,000 ticks/s, through the whole live path: our feed client decodes the frame, the session journals the tick
// (fsync'd, group-committed with its neighbours) and steps the engine (a trivial strategy, risk rules, execution),
// and only once the cascade is durable does the Upstox adapter send the order (rate limiter, the SDK's HTTP client).
// The venue (feed and order endpoint) runs in a worker thread; both sides stamp `timeOrigin + now()`.
// Measured from the moment the decoded frame reaches the session (decoding takes a few µs more before that) to the
// order request's arrival at the venue. BENCH_TICK_SECONDS (default 15) per rate; 20 orders a second at either rate.

const SECONDS = Number(process.env.BENCH_TICK_SECONDS ?? 15)
const ORDERS_PER_SECOND = 20
const now = () => performance.timeOrigin + performance.now()

const probe = defineStrategy({
  kind: 'latency-probe',
  description: 'buys 1 on a tick with ltq 7 (the benchmark marks one tick in so many)',
  params: paramsWithDefaults({ qty: t.number }, { qty: 1 }, 'latency-probe'),
  init: (params) => params,
  onBar: () => undefined,
  onTick: (p, tick, ctx) =>
    tick.ltq === 7 && ctx.positionQty === 0
      ? { intent: 'LONG', qty: p.qty, confidence: 1, reason: 'probe' }
      : undefined,
})

const pct = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

const runAt = async (ticksPerSecond: number) => {
  const triggers = ORDERS_PER_SECOND * SECONDS
  const cfg: VenueConfig = {
    ticksPerSecond,
    seconds: SECONDS,
    triggerEvery: Math.floor(ticksPerSecond / ORDERS_PER_SECOND),
    backgroundKeys: Array.from({ length: 50 }, (_, i) => `NSE_EQ|BENCHBG${String(i).padStart(4, '0')}`),
    triggerKeys: Array.from({ length: triggers }, (_, i) => `NSE_EQ|BENCHTR${String(i).padStart(5, '0')}`),
    baseLttMs: Date.UTC(2025, 0, 6, 3, 50),
  }
  const venue = new Worker(new URL('./tickToOrderVenue.js', import.meta.url), { workerData: cfg })
  const messages: VenueMessage[] = []
  const waiters: ((m: VenueMessage) => void)[] = []
  venue.on('message', (m: VenueMessage) => {
    const w = waiters.shift()
    if (w) w(m)
    else messages.push(m)
  })
  const next = () =>
    new Promise<VenueMessage>((r) => {
      const m = messages.shift()
      if (m) r(m)
      else waiters.push(r)
    })
  const ready = await next()
  if (ready.kind !== 'ready') throw new Error('venue did not start')

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-bench-t2o-'))
  const journal = openFileJournal(path.join(dir, 'journal'))
  if (E.isLeft(journal)) throw new Error(journal.left._tag)
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) throw new Error('no calendar')
  // Orders are never filled here, so every one is still working at the stop: not worth a warning each run.
  const log = pino({ level: 'error' })
  const broker = createUpstoxBroker({
    config: { ...UPSTOX_DEFAULTS, baseUrl: ready.restUrl, orderBaseUrl: ready.restUrl },
    log,
    nowMs: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    token: fixedToken('bench-token', Date.now() + 86_400_000),
    rateLimits: { standard: [{ windowMs: 1000, max: 1000 }], order: [{ windowMs: 1000, max: 1000 }] },
  })
  const engine = createEngine({ strategies: createStrategyRegistry([probe]) })
  const session = createTradingSession({
    journal: journal.right,
    engine,
    state: engine.initialState(),
    calendar: calendar.right,
    broker,
    log,
    nowMs: Date.now,
    pollMs: 3_600_000,
    settleMs: 0,
  })
  for (const d of sessionHeader({
    runId: `bench-${ticksPerSecond}`,
    mode: 'live',
    startedMs: cfg.baseLttMs,
    capitalPaise: 1_000_000_000,
    codeVersion: 'bench',
    strategy: { kind: 'latency-probe', params: {}, exits: { squareOff: 'off' } },
    instruments: [...cfg.backgroundKeys, ...cfg.triggerKeys].map(unsafe.instrumentKey),
    limits: { maxOrdersPerSecond: 1000 },
    simulator: DEFAULT_SIMULATOR_CONFIG,
    data: {},
  }))
    await session.handle(d)

  const arrived = new Map<string, number>()
  const proto = await loadMarketFeedProto()
  if (E.isLeft(proto)) throw new Error(proto.left._tag)
  const feed = createMarketFeedClient({
    authorize: async () => E.right(ready.feedUrl),
    feedType: proto.right,
    log,
    onTicks: (ticks: readonly TickPayload[], frame) => {
      const at = now()
      for (const tk of ticks) if (tk.ltq === 7) arrived.set(tk.instrumentKey, at)
      session.onTicks(ticks, frame)
    },
  })
  feed.subscribe(cfg.backgroundKeys.slice(0, 1).map(unsafe.instrumentKey), 'ltpc')
  feed.start()
  const pumped = await next()
  if (pumped.kind !== 'pumped') throw new Error('venue did not pump')
  await new Promise((r) => setTimeout(r, 1000))
  venue.postMessage('arrivals')
  const reply = await next()
  if (reply.kind !== 'arrivals') throw new Error('no arrivals')
  await feed.close()
  await session.stop(`bench-${ticksPerSecond}`, 'bench over')
  await journal.right.close()
  venue.postMessage('close')
  await venue.terminate()
  fs.rmSync(dir, { recursive: true, force: true })

  const latencies = reply.arrivals
    .flatMap(([key, at]) => {
      const from = arrived.get(key)
      return from === undefined ? [] : [at - from]
    })
    .sort((a, b) => a - b)
  const c = session.counters()
  return {
    ticksPerSecond,
    ticks: c.ticks,
    orders: latencies.length,
    expected: triggers,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    pumpBehindMs: pumped.behindMs,
  }
}

/** Frames sent as fast as the venue can: what the feed client alone decodes per second over a real socket. */
const flood = async (frames: number) => {
  const cfg: VenueConfig = {
    ticksPerSecond: frames,
    seconds: 1,
    triggerEvery: frames + 1,
    backgroundKeys: Array.from({ length: 50 }, (_, i) => `NSE_EQ|BENCHBG${String(i).padStart(4, '0')}`),
    triggerKeys: [],
    baseLttMs: Date.UTC(2025, 0, 6, 3, 50),
  }
  const venue = new Worker(new URL('./tickToOrderVenue.js', import.meta.url), { workerData: cfg })
  const ready = await new Promise<VenueMessage>((r) => venue.once('message', r))
  if (ready.kind !== 'ready') throw new Error('venue did not start')
  const proto = await loadMarketFeedProto()
  if (E.isLeft(proto)) throw new Error(proto.left._tag)
  let ticks = 0
  let first = 0
  let last = 0
  const feed = createMarketFeedClient({
    authorize: async () => E.right(ready.feedUrl),
    feedType: proto.right,
    log: pino({ level: 'error' }),
    onTicks: (tk) => {
      last = performance.now()
      if (ticks === 0) first = last
      ticks += tk.length
    },
  })
  feed.subscribe([unsafe.instrumentKey(cfg.backgroundKeys[0]!)], 'ltpc')
  feed.start()
  while (ticks < frames) await new Promise((r) => setTimeout(r, 20))
  const counters = feed.counters()
  await feed.close()
  await venue.terminate()
  return { frames: counters.frames, framesPerSecond: (counters.frames - 1) / ((last - first) / 1000) }
}

const flooded = await flood(200_000)
const rows = []
for (const rate of [1_000, 10_000]) rows.push(await runAt(rate))
process.stdout.write(
  `feed client over a loopback socket: ${flooded.frames.toLocaleString('en-US')} one-tick ltpc frames at ${Math.round(flooded.framesPerSecond).toLocaleString('en-US')} frames/s (= ticks/s)\n`,
)
const ms = (x: number) => `${x.toFixed(2)} ms`
process.stdout.write(`tick frame -> order request at the venue, live path with an fsync'd journal (${SECONDS} s per rate):
| ticks/s | ticks handled | orders | p50 | p99 | max |
| --- | --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.ticksPerSecond.toLocaleString('en-US')} | ${r.ticks.toLocaleString('en-US')} | ${r.orders}/${r.expected} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} |`).join('\n')}
`)

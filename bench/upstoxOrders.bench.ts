import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { loadCalendar } from '../src/adapters/calendar/index.js'
import {
  createUpstoxBroker,
  fixedToken,
  type RateLimits,
  tokenExpiryMs,
  UPSTOX_DEFAULTS,
} from '../src/adapters/upstox/index.js'
import { startUpstoxSandbox } from '../src/adapters/upstoxSandbox/index.js'
import { unsafe } from '../src/domain/ids/index.js'
import { unsafeMoney } from '../src/domain/money/index.js'

// `npx tsc -p tsconfig.bench.json && node dist/bench/upstoxOrders.bench.js`
// Order round trip through the Upstox adapter against an in-process sandbox over loopback HTTP: submit (place with
// our tag) -> the market ticks -> poll the order (details + its trades) until the OrderFilled event, N times in a
// row. Both sides run with the rate limits raised, so the figure is the adapter and the wire, not the 10/s order
// limit (at which N orders would take N/10 s). Figures vary with machine load (2 shared cores). Nothing is asserted.

const N = Number(process.env.BENCH_ORDERS ?? 1000)
const OPEN: RateLimits = {
  standard: [{ windowMs: 1000, max: 1_000_000 }],
  order: [{ windowMs: 1000, max: 1_000_000 }],
}
const pct = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

const main = async () => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) throw new Error('no calendar')
  const log = pino({ level: 'silent' })
  const started = await startUpstoxSandbox({
    calendar: calendar.right,
    log,
    clock: { nowMs: () => Date.now() },
    historyDays: 1,
    participation: 1,
    rateLimits: OPEN,
  })
  if (E.isLeft(started)) throw new Error(started.left._tag)
  const sandbox = started.right
  const broker = createUpstoxBroker({
    config: { ...UPSTOX_DEFAULTS, baseUrl: sandbox.baseUrl, orderBaseUrl: sandbox.baseUrl, lookupDelayMs: 50 },
    log,
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    token: fixedToken(sandbox.issueAccessToken(), tokenExpiryMs(Date.now())),
    rateLimits: OPEN,
  })
  const roundTrip: number[] = []
  const placeOnly: number[] = []
  let polls = 0
  for (let i = 0; i < N + 50; i++) {
    const t0 = performance.now()
    const submitted = await broker.orders.submit({
      orderId: unsafe.orderId(`bench-${i}`),
      strategyId: unsafe.strategyId('bench'),
      instrumentKey: unsafe.instrumentKey('NSE_EQ|INE002A01018'),
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      qty: unsafeMoney.qty(1),
      orderType: 'MARKET',
      product: 'I',
      validity: 'DAY',
      reason: 'bench',
    })()
    if (E.isLeft(submitted) || submitted.right.type !== 'OrderAccepted') throw new Error(JSON.stringify(submitted))
    const t1 = performance.now()
    let tracked = broker.orders.track({
      orderId: unsafe.orderId(`bench-${i}`),
      brokerOrderId: submitted.right.payload.brokerOrderId,
      strategyId: unsafe.strategyId('bench'),
      instrumentKey: unsafe.instrumentKey('NSE_EQ|INE002A01018'),
      side: i % 2 === 0 ? 'BUY' : 'SELL',
    })
    sandbox.market.step(1)
    let filled = false
    while (!filled) {
      const r = await broker.orders.pollOrder(tracked)()
      polls++
      if (E.isLeft(r)) throw new Error(r.left._tag)
      filled = r.right.events.some((e) => e.type === 'OrderFilled')
      tracked = r.right.tracked
    }
    // The first 50 warm the JIT and the sockets.
    if (i >= 50) {
      roundTrip.push(performance.now() - t0)
      placeOnly.push(t1 - t0)
    }
  }
  await sandbox.close()
  const ms = (x: number) => x.toFixed(2)
  console.log(`upstox adapter order round trip, N=${N} (in-process sandbox, loopback HTTP, rate limits raised)`)
  console.log(`  place -> fill event  p50 ${ms(pct(roundTrip, 50))} ms  p99 ${ms(pct(roundTrip, 99))} ms`)
  console.log(`  place only           p50 ${ms(pct(placeOnly, 50))} ms  p99 ${ms(pct(placeOnly, 99))} ms`)
  console.log(`  polls per fill       ${(polls / (N + 50)).toFixed(2)}`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})

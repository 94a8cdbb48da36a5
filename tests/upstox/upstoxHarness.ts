import * as E from 'fp-ts/lib/Either.js'
import pino, { type Logger } from 'pino'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import {
  createUpstoxBroker,
  fixedToken,
  type RateLimits,
  type TokenSource,
  type TrackedOrder,
  tokenExpiryMs,
  UPSTOX_DEFAULTS,
  type UpstoxBroker,
  type UpstoxConfig,
} from '../../src/adapters/upstox/index.js'
import {
  startUpstoxSandbox,
  type UpstoxSandbox,
  type UpstoxSandboxOptions,
} from '../../src/adapters/upstoxSandbox/index.js'
import type { OrderRequested } from '../../src/domain/events/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { unsafeMoney } from '../../src/domain/money/index.js'

// A sandbox on loopback and the bahi Upstox adapter pointed at it. Both read one clock: real time plus a shift the
// test may move (to cross a token's 03:30 IST expiry), so the sandbox's rate-limit windows and the adapter's run
// on the same time. Every log line of both is captured.

export const RELIANCE = 'NSE_EQ|INE002A01018'

export interface ShiftClock {
  shiftMs: number
  readonly nowMs: () => number
}

export interface UpstoxHarness {
  readonly sandbox: UpstoxSandbox
  readonly clock: ShiftClock
  readonly token: string
  readonly config: UpstoxConfig
  readonly logLines: string[]
  readonly log: Logger
  readonly broker: (o?: {
    token?: TokenSource
    config?: Partial<UpstoxConfig>
    rateLimits?: RateLimits
  }) => UpstoxBroker
  readonly fault: (body: Record<string, unknown>) => Promise<void>
  readonly close: () => Promise<void>
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export const startUpstoxHarness = async (
  opts: Partial<Omit<UpstoxSandboxOptions, 'calendar' | 'log' | 'clock'>> = {},
): Promise<UpstoxHarness> => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) throw new Error('no calendar')
  const clock: ShiftClock = { shiftMs: 0, nowMs: () => Date.now() + clock.shiftMs }
  const logLines: string[] = []
  const log: Logger = pino({ level: 'debug' }, { write: (s: string) => logLines.push(s) })
  const started = await startUpstoxSandbox({ calendar: calendar.right, log, clock, historyDays: 3, ...opts })
  if (E.isLeft(started)) throw new Error(started.left._tag)
  const sandbox = started.right
  const token = sandbox.issueAccessToken()
  const config: UpstoxConfig = {
    ...UPSTOX_DEFAULTS,
    baseUrl: sandbox.baseUrl,
    orderBaseUrl: sandbox.baseUrl,
    timeoutMs: 5_000,
    lookupDelayMs: 50,
    clientId: sandbox.user.clientId,
    clientSecret: sandbox.user.clientSecret,
    redirectUri: sandbox.user.redirectUri,
  }
  const issuedAt = clock.nowMs()
  return {
    sandbox,
    clock,
    token,
    config,
    logLines,
    log,
    broker: (o = {}) =>
      createUpstoxBroker({
        config: { ...config, ...o.config },
        log,
        nowMs: clock.nowMs,
        sleep,
        token: o.token ?? fixedToken(token, tokenExpiryMs(issuedAt)),
        ...(o.rateLimits === undefined ? {} : { rateLimits: o.rateLimits }),
      }),
    fault: async (body) => {
      const res = await fetch(`${sandbox.baseUrl}/_sandbox/faults/http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.status !== 200) throw new Error(`fault refused: ${await res.text()}`)
    },
    close: () => sandbox.close(),
  }
}

export const request = (id: string, o: Partial<OrderRequested['payload']> = {}): OrderRequested['payload'] => ({
  orderId: unsafe.orderId(id),
  strategyId: unsafe.strategyId('test.strategy'),
  instrumentKey: unsafe.instrumentKey(RELIANCE),
  side: 'BUY',
  qty: unsafeMoney.qty(5),
  orderType: 'MARKET',
  product: 'I',
  validity: 'DAY',
  reason: 'test',
  ...o,
})

/** Submits and tracks an order; fails the test if it was not accepted. */
export const submitAndTrack = async (b: UpstoxBroker, req: OrderRequested['payload']): Promise<TrackedOrder> => {
  const r = await b.orders.submit(req)()
  if (E.isLeft(r) || r.right.type !== 'OrderAccepted') throw new Error(`not accepted: ${JSON.stringify(r)}`)
  return b.orders.track({ ...req, brokerOrderId: r.right.payload.brokerOrderId })
}

export const poll = async (b: UpstoxBroker, tracked: readonly TrackedOrder[]) => {
  const r = await b.orders.reconcile(tracked)()
  if (E.isLeft(r)) throw new Error(`reconcile failed: ${r.left._tag}`)
  return r.right
}

import * as E from 'fp-ts/lib/Either.js'
import { roundToTick } from '../../domain/money/index.js'
import type { SyntheticInstrument } from '../synthetic/index.js'
import { historicalCandles, intradayCandles, parseV2Interval, parseV3Interval } from './candles.js'
import { profileOf } from './demoUser.js'
import { quoteKeyOf } from './instrumentMaster.js'
import type { InstrumentQuote, LiveCandle, MarketReplay, MinuteBar } from './marketReplay.js'
import { type OrderEngine, orderRow, type SandboxOrder } from './orderEngine.js'
import { decodeModifyRequest, decodeOrderId, decodePlaceRequest } from './orderFields.js'
import type { ApiGroup } from './rateLimiter.js'
import { type ApiError, type ApiReply, apiError, ERR, errorReply, success } from './restEnvelope.js'
import type { AccessSession, Sessions } from './sessions.js'

// The authenticated REST endpoints: a table of (method, path pattern, API group, handler). Path parameters are the
// URL-decoded path segments matched by `{...}`. Handlers return replies as values; the server turns them into HTTP.

export interface RequestContext {
  /** Undefined only on public routes called without a token. */
  readonly session: AccessSession | undefined
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: unknown
  readonly startedMs: number
  readonly nowMs: () => number
}

export type AuthedContext = RequestContext & { readonly session: AccessSession }

export interface Route {
  readonly method: string
  readonly segments: readonly string[]
  readonly group: ApiGroup
  /** Historical candles need no token (as on Upstox); a token that is sent must still be valid. */
  readonly isPublic: boolean
  readonly handle: (ctx: RequestContext) => ApiReply
}

export interface RestDeps {
  readonly market: MarketReplay
  readonly orders: OrderEngine
  readonly sessions: Sessions
  /** Builds the single-use WebSocket URL for a feed grant code. */
  readonly wsUrl: (kind: 'market' | 'portfolio', code: string) => string
}

/** A route whose handler needs the caller's session. */
const route = (method: string, pattern: string, group: ApiGroup, handle: (ctx: AuthedContext) => ApiReply): Route => ({
  method,
  segments: pattern.split('/').filter((s) => s.length > 0),
  group,
  isPublic: false,
  handle: (ctx) =>
    ctx.session === undefined ? errorReply(ERR.invalidToken()) : handle({ ...ctx, session: ctx.session }),
})

const publicRoute = (method: string, pattern: string, handle: Route['handle']): Route => ({
  method,
  segments: pattern.split('/').filter((s) => s.length > 0),
  group: 'standard',
  isPublic: true,
  handle,
})

/** Matches decoded path segments against a route; returns the named parameters or undefined. */
export const matchRoute = (r: Route, method: string, segments: readonly string[]) => {
  if (r.method !== method || r.segments.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const p = r.segments[i]!
    const s = segments[i]!
    if (p.startsWith('{')) params[p.slice(1, -1)] = s
    else if (p !== s) return undefined
  }
  return params
}

const inr = (paise: number): number => paise / 100

const fromEither = (e: E.Either<ApiError, unknown>): ApiReply => (E.isLeft(e) ? errorReply(e.left) : success(e.right))

const fundsOf = (availablePaise: number, usedPaise: number) => ({
  used_margin: usedPaise / 100,
  payin_amount: 0,
  span_margin: 0,
  adhoc_margin: 0,
  notional_cash: 0,
  available_margin: availablePaise / 100,
  exposure_margin: 0,
})

export const createRestRoutes = (d: RestDeps): readonly Route[] => {
  const userId = (ctx: AuthedContext) => ctx.session.user.userId
  const latency = (ctx: AuthedContext) => ({ metadata: { latency: Math.max(0, ctx.nowMs() - ctx.startedMs) } })

  const place = (ctx: AuthedContext) => {
    const req = decodePlaceRequest(ctx.body)
    return E.isLeft(req) ? E.left(req.left) : E.right(d.orders.place(ctx.session.user.userId, req.right))
  }
  const modify = (ctx: AuthedContext) => {
    const req = decodeModifyRequest(ctx.body)
    return E.isLeft(req) ? req : d.orders.modify(ctx.session.user.userId, req.right)
  }
  const cancel = (ctx: AuthedContext) => {
    const id = decodeOrderId(ctx.query.get('order_id') ?? undefined)
    return E.isLeft(id) ? id : d.orders.cancel(ctx.session.user.userId, id.right)
  }
  const v2 = (r: E.Either<ApiError, { orderId: string }>): ApiReply =>
    E.isLeft(r) ? errorReply(r.left) : success({ order_id: r.right.orderId })
  const v3 = (ctx: AuthedContext, r: E.Either<ApiError, { orderId: string }>, many: boolean): ApiReply =>
    E.isLeft(r)
      ? errorReply(r.left)
      : success(many ? { order_ids: [r.right.orderId] } : { order_id: r.right.orderId }, latency(ctx))

  /** Up to 25 orders, each with a `correlation_id`; some may fail validation (`partial_success`). */
  const multiPlace = (ctx: AuthedContext): ApiReply => {
    if (!Array.isArray(ctx.body) || ctx.body.length === 0 || ctx.body.length > 25)
      return errorReply(ERR.invalidInput(null, null, 'Send an array of 1 to 25 orders'))
    const data: { correlation_id: string; order_id: string }[] = []
    const errors: Record<string, unknown>[] = []
    for (const item of ctx.body as unknown[]) {
      const correlationId =
        typeof item === 'object' && item !== null && 'correlation_id' in item ? String(item.correlation_id) : ''
      const req = decodePlaceRequest(item)
      if (E.isLeft(req)) {
        const e = req.left
        errors.push({
          correlation_id: correlationId,
          error_code: e.errorCode,
          message: e.message,
          property_path: e.propertyPath ?? null,
          invalid_value: e.invalidValue ?? null,
          instrument_key: null,
          order_id: null,
        })
      } else data.push({ correlation_id: correlationId, order_id: d.orders.place(userId(ctx), req.right).orderId })
    }
    const summary = { total: data.length + errors.length, success: data.length, error: errors.length }
    if (data.length === 0) return { httpStatus: 400, body: { status: 'error', errors, summary } }
    return {
      httpStatus: 200,
      body: {
        status: errors.length === 0 ? 'success' : 'partial_success',
        data,
        ...(errors.length > 0 ? { errors } : {}),
        summary,
      },
    }
  }

  /** Orders matching `order_id` and/or `tag` (both given: both must match). */
  const selectOrders = (ctx: AuthedContext) => {
    const userId = ctx.session.user.userId
    const orderId = ctx.query.get('order_id') ?? undefined
    const tag = ctx.query.get('tag') ?? undefined
    if (orderId === undefined && tag === undefined) return E.left(ERR.orderIdRequired())
    let found: readonly SandboxOrder[]
    if (orderId === undefined) found = d.orders.byTag(userId, tag ?? '')
    else {
      const one = d.orders.find(userId, orderId)
      found = one !== undefined && (tag === undefined || one.tag === tag) ? [one] : []
    }
    return found.length === 0 ? E.left(ERR.orderNotFound(orderId ?? tag)) : E.right(found)
  }

  /** A quote endpoint: the `instrument_key` list (unknown keys are left out, as on Upstox), keyed `NSE_EQ:SYMBOL`. */
  const quotes =
    (build: (i: SyntheticInstrument, q: InstrumentQuote, ctx: AuthedContext) => unknown) =>
    (ctx: AuthedContext): ApiReply => {
      const raw = ctx.query.get('instrument_key') ?? ''
      if (raw.length === 0) return errorReply(ERR.invalidInput('instrument_key', null, 'instrument_key is required'))
      const keys = raw.split(',')
      if (keys.length > 500) return errorReply(ERR.invalidInput('instrument_key', raw, 'At most 500 instrument keys'))
      // A well-formed key the sandbox does not know is left out; a malformed one fails the request.
      const malformed = keys.find((k) => !/^[A-Z][A-Z0-9_]*\|\S/.test(k))
      if (malformed !== undefined) return errorReply(ERR.invalidInstrument(malformed))
      const data: Record<string, unknown> = {}
      for (const i of d.market.instruments) {
        const q = d.market.quote(i.instrumentKey)
        if (q !== undefined && keys.includes(i.instrumentKey)) data[quoteKeyOf(i)] = build(i, q, ctx)
      }
      return success(data)
    }
  const ltpQuote = quotes((i, q) => ({
    last_price: inr(q.ltpPaise),
    instrument_token: i.instrumentKey,
    ltq: q.ltq,
    volume: q.vtt,
    cp: inr(q.cpPaise),
  }))
  const candle = (c: MinuteBar | LiveCandle | undefined) =>
    c === undefined
      ? null
      : { open: inr(c.open), high: inr(c.high), low: inr(c.low), close: inr(c.close), volume: c.volume, ts: c.openMs }
  const ohlcQuote = quotes((i, q, ctx) => {
    const minute = ctx.query.get('interval') === 'I1'
    return {
      last_price: inr(q.ltpPaise),
      instrument_token: i.instrumentKey,
      prev_ohlc: candle(minute ? q.lastMinute : q.prevDay),
      live_ohlc: candle(minute ? q.minute : q.day),
    }
  })
  const fullQuote = quotes((i, q) => {
    const ltp = q.ltpPaise
    const levels = [0, 1, 2, 3, 4]
    return {
      ohlc: {
        open: inr(q.day?.open ?? ltp),
        high: inr(q.day?.high ?? ltp),
        low: inr(q.day?.low ?? ltp),
        close: inr(ltp),
      },
      depth: {
        buy: levels.map((l) => ({ quantity: 100 * (l + 1), price: inr(ltp - l * 5), orders: l + 1 })),
        sell: levels.map((l) => ({ quantity: 100 * (l + 1), price: inr(ltp + (l + 1) * 5), orders: l + 1 })),
      },
      timestamp: new Date(q.lttMs).toISOString(),
      instrument_token: i.instrumentKey,
      symbol: i.symbol,
      last_price: inr(ltp),
      volume: q.vtt,
      average_price: q.vtt === 0 ? 0 : Math.round(q.turnoverPaise / q.vtt) / 100,
      oi: 0,
      net_change: inr(ltp - q.cpPaise),
      total_buy_quantity: 1500,
      total_sell_quantity: 1500,
      lower_circuit_limit: inr(roundToTick(q.cpPaise * 0.8)),
      upper_circuit_limit: inr(roundToTick(q.cpPaise * 1.2)),
      last_trade_time: String(q.lttMs),
      oi_day_high: 0,
      oi_day_low: 0,
    }
  })

  return [
    route('GET', '/v2/user/profile', 'standard', (ctx) => success(profileOf(ctx.session.user))),
    route('GET', '/v2/user/get-funds-and-margin', 'standard', (ctx) => {
      const segment = ctx.query.get('segment') ?? undefined
      if (segment !== undefined && segment !== 'SEC' && segment !== 'COM')
        return errorReply(ERR.invalidInput('segment', segment, "The 'segment' is invalid: use SEC or COM"))
      const f = d.orders.funds(userId(ctx))
      const data: Record<string, unknown> = {}
      if (segment !== 'COM') data.equity = fundsOf(f.availablePaise, f.usedPaise)
      if (segment !== 'SEC') data.commodity = fundsOf(0, 0)
      return success(data)
    }),
    route('DELETE', '/v2/logout', 'standard', (ctx) => {
      d.sessions.revoke(ctx.session.token)
      return success(true)
    }),
    route('POST', '/v2/order/place', 'order', (ctx) => v2(place(ctx))),
    route('POST', '/v3/order/place', 'order', (ctx) => v3(ctx, place(ctx), true)),
    route('POST', '/v2/order/multi/place', 'order', (ctx) => multiPlace(ctx)),
    route('DELETE', '/v2/order/multi/cancel', 'order', (ctx) => {
      const tag = ctx.query.get('tag') ?? undefined
      const ids = d.orders.workingOrders(userId(ctx), tag).map((o) => o.orderId)
      if (ids.length === 0)
        return errorReply(apiError(400, 'UDAPI1108', 'No open orders to cancel', 'tag', tag ?? null))
      for (const id of ids) d.orders.cancel(userId(ctx), id)
      return success({ order_ids: ids }, { summary: { total: ids.length, success: ids.length, error: 0 } })
    }),
    route('POST', '/v2/order/positions/exit', 'order', (ctx) => {
      const open = d.orders.openPositions(userId(ctx))
      if (open.length === 0) return errorReply(apiError(400, 'UDAPI1111', 'No open positions to exit'))
      const ids = open.map(
        (p) =>
          d.orders.place(userId(ctx), {
            quantity: Math.abs(p.net),
            product: p.product,
            validity: 'DAY',
            price: 0,
            tag: undefined,
            instrumentToken: p.instrumentKey,
            orderType: 'MARKET',
            transactionType: p.net > 0 ? 'SELL' : 'BUY',
            disclosedQuantity: 0,
            triggerPrice: 0,
            isAmo: false,
          }).orderId,
      )
      return success({ order_ids: ids })
    }),
    route('PUT', '/v2/order/modify', 'order', (ctx) => v2(modify(ctx))),
    route('PUT', '/v3/order/modify', 'order', (ctx) => v3(ctx, modify(ctx), false)),
    route('DELETE', '/v2/order/cancel', 'order', (ctx) => v2(cancel(ctx))),
    route('DELETE', '/v3/order/cancel', 'order', (ctx) => v3(ctx, cancel(ctx), false)),
    route('GET', '/v2/order/retrieve-all', 'standard', (ctx) => success(d.orders.orderBook(userId(ctx)))),
    route('GET', '/v2/order/details', 'standard', (ctx) =>
      fromEither(E.map((os: readonly SandboxOrder[]) => orderRow(os.at(-1)!))(selectOrders(ctx))),
    ),
    route('GET', '/v2/order/history', 'standard', (ctx) =>
      fromEither(E.map((os: readonly SandboxOrder[]) => os.flatMap((o) => o.history))(selectOrders(ctx))),
    ),
    route('GET', '/v2/order/trades/get-trades-for-day', 'standard', (ctx) => success(d.orders.trades(userId(ctx)))),
    route('GET', '/v2/order/trades', 'standard', (ctx) => {
      const id = decodeOrderId(ctx.query.get('order_id') ?? undefined)
      return E.isLeft(id) ? errorReply(id.left) : success(d.orders.trades(userId(ctx), id.right))
    }),
    route('GET', '/v2/portfolio/short-term-positions', 'standard', (ctx) => success(d.orders.positions(userId(ctx)))),
    route('GET', '/v2/portfolio/long-term-holdings', 'standard', () => success([])),
    publicRoute('GET', '/v2/historical-candle/intraday/{key}/{interval}', (ctx) => {
      const b = parseV2Interval(ctx.params.interval ?? '')
      return E.isLeft(b) ? errorReply(b.left) : fromEither(intradayCandles(d.market, ctx.params.key ?? '', b.right))
    }),
    ...['/v2/historical-candle/{key}/{interval}/{to}', '/v2/historical-candle/{key}/{interval}/{to}/{from}'].map((p) =>
      publicRoute('GET', p, (ctx) => {
        const b = parseV2Interval(ctx.params.interval ?? '')
        if (E.isLeft(b)) return errorReply(b.left)
        const { key, to, from } = ctx.params
        return fromEither(historicalCandles(d.market, key ?? '', b.right, to ?? '', from))
      }),
    ),
    publicRoute('GET', '/v3/historical-candle/intraday/{key}/{unit}/{interval}', (ctx) => {
      const b = parseV3Interval(ctx.params.unit ?? '', ctx.params.interval ?? '')
      return E.isLeft(b) ? errorReply(b.left) : fromEither(intradayCandles(d.market, ctx.params.key ?? '', b.right))
    }),
    ...[
      '/v3/historical-candle/{key}/{unit}/{interval}/{to}',
      '/v3/historical-candle/{key}/{unit}/{interval}/{to}/{from}',
    ].map((p) =>
      publicRoute('GET', p, (ctx) => {
        const b = parseV3Interval(ctx.params.unit ?? '', ctx.params.interval ?? '')
        if (E.isLeft(b)) return errorReply(b.left)
        const { key, to, from } = ctx.params
        return fromEither(historicalCandles(d.market, key ?? '', b.right, to ?? '', from))
      }),
    ),
    ...['v2', 'v3'].flatMap((v) => [
      route('GET', `/${v}/market-quote/ltp`, 'standard', ltpQuote),
      route('GET', `/${v}/market-quote/ohlc`, 'standard', ohlcQuote),
      route('GET', `/${v}/market-quote/quotes`, 'standard', fullQuote),
    ]),
    route('GET', '/v3/feed/market-data-feed/authorize', 'standard', (ctx) => {
      const url = d.wsUrl('market', d.sessions.grantWs('market', ctx.session))
      return success({ authorized_redirect_uri: url, authorizedRedirectUri: url })
    }),
    route('GET', '/v2/feed/portfolio-stream-feed/authorize', 'standard', (ctx) => {
      const types = (ctx.query.get('update_types') ?? 'order').split(',').filter((s) => s.length > 0)
      const url = d.wsUrl('portfolio', d.sessions.grantWs('portfolio', ctx.session, types))
      return success({ authorized_redirect_uri: url, authorizedRedirectUri: url })
    }),
  ]
}

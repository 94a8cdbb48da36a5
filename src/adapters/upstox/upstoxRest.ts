import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import type { Logger } from 'pino'
import type { BrokerError } from './brokerErrors.js'
import type { ApiGroup, RateLimiter } from './rateLimiter.js'
import {
  CandlesData,
  ErrorEnvelope,
  FeedAuthorizeData,
  OrderHistoryRow,
  OrderIdData,
  OrderRow,
  PlacedOrderV2,
  PositionRow,
  ProfileData,
  successOf,
  TokenResponse,
  TradeRow,
} from './responseCodecs.js'
import { loadUpstoxSdk, type SdkApiClient, type SdkCallError, type SdkResponse } from './sdkTypes.js'
import type { UpstoxConfig } from './upstoxConfig.js'

// The REST client: the SDK's own `ApiClient` with `basePath` and `orderBasePath` both from config, every call through
// the rate limiter, every response validated. A call is a `TaskEither<BrokerError, A>`: HTTP, network and shape
// failures all come back as values. A stored token past its expiry fails with `TokenExpired` before anything is sent.

/** The token the client sends, with its expiry; undefined when none is stored. */
export type TokenSource = () => E.Either<BrokerError, { readonly accessToken: string; readonly expiresAtMs: number }>

export interface UpstoxRestDeps {
  readonly config: UpstoxConfig
  readonly limiter: RateLimiter
  readonly nowMs: () => number
  /** Where the access token comes from (the token store, or a fixed one in tests). */
  readonly token: TokenSource
  readonly log: Logger
}

/** Our order, in Upstox's place-request fields (v2). */
export interface PlaceOrderBody {
  readonly quantity: number
  readonly product: string
  readonly validity: string
  readonly price: number
  readonly tag: string
  readonly instrument_token: string
  readonly order_type: string
  readonly transaction_type: string
  readonly disclosed_quantity: number
  readonly trigger_price: number
  readonly is_amo: boolean
}

/** `PUT /v2/order/modify`: the order's type, validity and both prices are always sent (Upstox requires them). */
export interface ModifyOrderBody {
  readonly order_id: string
  readonly quantity: number
  readonly validity: string
  readonly price: number
  readonly order_type: string
  readonly trigger_price: number
  readonly disclosed_quantity: number
}

interface CallSpec<C extends t.Mixed> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** With `{name}` placeholders filled from `pathParams` (URL-encoded by the SDK). */
  readonly path: string
  readonly pathParams?: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string>>
  readonly body?: unknown
  readonly form?: Readonly<Record<string, string>>
  readonly group: ApiGroup
  readonly auth: 'token' | 'none'
  readonly codec: C
}

/** Redaction for every logger the adapter is given: no token, secret or code reaches a log line. */
export const UPSTOX_REDACT_PATHS = [
  'accessToken',
  'access_token',
  'token',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'clientSecret',
  'client_secret',
  'code',
  'authCode',
  '*.accessToken',
  '*.access_token',
  '*.clientSecret',
  '*.client_secret',
  '*.code',
]

export const upstoxLogger = (log: Logger): Logger =>
  log.child({ component: 'upstox' }, { redact: { paths: UPSTOX_REDACT_PATHS, censor: '[redacted]' } })

const pathsOf = (errs: t.Errors): string[] => [
  ...new Set(
    errs.map(
      (e) =>
        e.context
          .map((c) => c.key)
          .filter((k) => k.length > 0)
          .join('.') || '(root)',
    ),
  ),
]

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined || text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A failed call as a BrokerError. Only the status, the error code and Upstox's message are kept. */
const errorOf = (path: string, timeoutMs: number, sentToken: boolean, err: SdkCallError): BrokerError => {
  const status = err.status ?? err.response?.status
  if (err.timeout !== undefined || err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT')
    return { _tag: 'BrokerTimeout', path, timeoutMs }
  if (status === undefined) return { _tag: 'BrokerConnectionLost', path, code: err.code ?? 'no response' }
  const env = ErrorEnvelope.decode(err.response?.body ?? parseJson(err.response?.text))
  const first = E.isRight(env) ? env.right.errors[0] : undefined
  const code = first?.errorCode ?? first?.error_code ?? `HTTP${status}`
  if (status === 429) return { _tag: 'BrokerRateLimited', path }
  // A 401 without a token (the code exchange) refuses the credentials or the code, not a token.
  if (status === 401 && sentToken) return { _tag: 'BrokerUnauthorized', path, code }
  if (status >= 500) return { _tag: 'BrokerUnavailable', path, status }
  return { _tag: 'BrokerRejected', path, status, code, message: first?.message ?? 'no message' }
}

export const createUpstoxRest = (d: UpstoxRestDeps) => {
  const sdk = loadUpstoxSdk()
  const log = upstoxLogger(d.log)
  const clientFor = (): SdkApiClient => {
    const c = new sdk.ApiClient()
    c.basePath = d.config.baseUrl
    c.orderBasePath = d.config.orderBaseUrl
    c.timeout = d.config.timeoutMs
    return c
  }
  // One client for calls without a token (login, candles); tokens are set per call on a fresh client so a token
  // rotated in the store is picked up and never shared between callers.
  const anonymous = clientFor()

  const call =
    <C extends t.Mixed>(spec: CallSpec<C>): TE.TaskEither<BrokerError, t.TypeOf<C>> =>
    async () => {
      let client = anonymous
      if (spec.auth === 'token') {
        const token = d.token()
        if (E.isLeft(token)) return token
        if (d.nowMs() >= token.right.expiresAtMs)
          return E.left({ _tag: 'TokenExpired', expiredAtMs: token.right.expiresAtMs })
        client = clientFor()
        client.authentications.OAUTH2.accessToken = token.right.accessToken
      }
      const form = spec.form !== undefined
      const result = await d.limiter.schedule(
        spec.group,
        () =>
          new Promise<{ err: SdkCallError | null; data: unknown; res: SdkResponse | undefined }>((resolve) => {
            client.callApi(
              spec.path,
              spec.method,
              spec.pathParams ?? {},
              spec.query ?? {},
              {},
              spec.form ?? {},
              spec.body,
              spec.auth === 'token' ? ['OAUTH2'] : [],
              [form ? 'application/x-www-form-urlencoded' : 'application/json'],
              ['application/json'],
              Object,
              (err, data, res) => resolve({ err, data, res }),
            )
          }),
      )
      if (result.err !== null) {
        const e = errorOf(spec.path, d.config.timeoutMs, spec.auth === 'token', result.err)
        log.debug({ method: spec.method, path: spec.path, error: e._tag }, 'upstox call failed')
        return E.left(e)
      }
      const decoded = spec.codec.decode(result.data)
      if (E.isLeft(decoded)) {
        const e: BrokerError = { _tag: 'BrokerResponseInvalid', path: spec.path, paths: pathsOf(decoded.left) }
        log.warn({ method: spec.method, path: spec.path, paths: e.paths }, 'upstox response invalid')
        return E.left(e)
      }
      log.debug({ method: spec.method, path: spec.path, status: result.res?.status }, 'upstox call')
      return E.right(decoded.right)
    }

  const data =
    <C extends t.Mixed>(spec: CallSpec<C>): TE.TaskEither<BrokerError, t.TypeOf<C>> =>
    async () =>
      E.map((r: { data: t.TypeOf<C> }) => r.data)(await call({ ...spec, codec: successOf(spec.codec) })())

  return {
    /** A single-use URL for the V3 market-data WebSocket (the feed client asks before every connect). */
    authorizeMarketFeed: () =>
      data({
        method: 'GET',
        path: '/v3/feed/market-data-feed/authorize',
        group: 'standard',
        auth: 'token',
        codec: FeedAuthorizeData,
      }),
    /** A single-use URL for the portfolio stream (order updates). */
    authorizePortfolioFeed: () =>
      data({
        method: 'GET',
        path: '/v2/feed/portfolio-stream-feed/authorize',
        query: { update_types: 'order' },
        group: 'standard',
        auth: 'token',
        codec: FeedAuthorizeData,
      }),
    placeOrder: (body: PlaceOrderBody) =>
      data({ method: 'POST', path: '/v2/order/place', body, group: 'order', auth: 'token', codec: PlacedOrderV2 }),
    modifyOrder: (body: ModifyOrderBody) =>
      data({ method: 'PUT', path: '/v2/order/modify', body, group: 'order', auth: 'token', codec: OrderIdData }),
    cancelOrder: (orderId: string) =>
      data({
        method: 'DELETE',
        path: '/v2/order/cancel',
        query: { order_id: orderId },
        group: 'order',
        auth: 'token',
        codec: OrderIdData,
      }),
    /** Every status row of the orders carrying `tag` (Upstox's order history is the endpoint that takes a tag);
     * `BrokerRejected` `UDAPI100010` if there is none. */
    orderHistoryByTag: (tag: string) =>
      data({
        method: 'GET',
        path: '/v2/order/history',
        query: { tag },
        group: 'standard',
        auth: 'token',
        codec: t.array(OrderHistoryRow),
      }),
    orderDetails: (orderId: string) =>
      data({
        method: 'GET',
        path: '/v2/order/details',
        query: { order_id: orderId },
        group: 'standard',
        auth: 'token',
        codec: OrderRow,
      }),
    orderBook: () =>
      data({
        method: 'GET',
        path: '/v2/order/retrieve-all',
        group: 'standard',
        auth: 'token',
        codec: t.array(OrderRow),
      }),
    tradesForDay: () =>
      data({
        method: 'GET',
        path: '/v2/order/trades/get-trades-for-day',
        group: 'standard',
        auth: 'token',
        codec: t.array(TradeRow),
      }),
    tradesOfOrder: (orderId: string) =>
      data({
        method: 'GET',
        path: '/v2/order/trades',
        query: { order_id: orderId },
        group: 'standard',
        auth: 'token',
        codec: t.array(TradeRow),
      }),
    positions: () =>
      data({
        method: 'GET',
        path: '/v2/portfolio/short-term-positions',
        group: 'standard',
        auth: 'token',
        codec: t.array(PositionRow),
      }),
    profile: () =>
      data({ method: 'GET', path: '/v2/user/profile', group: 'standard', auth: 'token', codec: ProfileData }),
    /** v3 historical candles between two IST dates (inclusive), newest first. Needs no token. */
    candles: (instrumentKey: string, unit: string, interval: number, toDate: string, fromDate: string) =>
      data({
        method: 'GET',
        path: '/v3/historical-candle/{instrumentKey}/{unit}/{interval}/{toDate}/{fromDate}',
        pathParams: { instrumentKey, unit, interval: String(interval), toDate, fromDate },
        group: 'standard',
        auth: 'none',
        codec: CandlesData,
      }),
    /** The OAuth code exchange: answers unwrapped (no envelope). */
    exchangeCode: (form: {
      readonly code: string
      readonly client_id: string
      readonly client_secret: string
      readonly redirect_uri: string
    }) =>
      call({
        method: 'POST',
        path: '/v2/login/authorization/token',
        form: { ...form, grant_type: 'authorization_code' },
        group: 'standard',
        auth: 'none',
        codec: TokenResponse,
      }),
  }
}

export type UpstoxRest = ReturnType<typeof createUpstoxRest>

import * as t from 'io-ts'

// io-ts codecs for every Upstox response body the adapter reads, on the wire's snake_case. Only the fields we use are
// listed (`t.type` lets the others through untouched); nullable fields are spelled out as Upstox sends them.

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

export const ErrorItem = t.partial({
  errorCode: nullable(t.string),
  error_code: nullable(t.string),
  message: nullable(t.string),
})
export const ErrorEnvelope = t.type({ status: t.literal('error'), errors: t.array(ErrorItem) })
export type ErrorEnvelope = t.TypeOf<typeof ErrorEnvelope>

/** `{"status":"success","data":...}` around a data codec. */
export const successOf = <C extends t.Mixed>(data: C) => t.type({ status: t.literal('success'), data })

export const PlacedOrderV2 = t.type({ order_id: t.string })
export type PlacedOrderV2 = t.TypeOf<typeof PlacedOrderV2>

export const OrderIdData = t.type({ order_id: t.string })

/** The feed authorize endpoints: a single-use wss URL. */
export const FeedAuthorizeData = t.type({ authorized_redirect_uri: t.string })

export const OrderRow = t.type({
  order_id: t.string,
  status: t.string,
  status_message: nullable(t.string),
  instrument_token: t.string,
  tag: nullable(t.string),
  quantity: t.number,
  filled_quantity: t.number,
  pending_quantity: t.number,
  average_price: t.number,
  price: t.number,
  transaction_type: t.keyof({ BUY: null, SELL: null }),
  order_type: t.string,
  product: t.string,
  order_timestamp: nullable(t.string),
})
export type OrderRow = t.TypeOf<typeof OrderRow>

/** One status row of `GET /v2/order/history`: what the tag lookup needs of it. */
export const OrderHistoryRow = t.type({ order_id: t.string, status: t.string, tag: nullable(t.string) })
export type OrderHistoryRow = t.TypeOf<typeof OrderHistoryRow>

export const TradeRow = t.type({
  trade_id: t.string,
  order_id: t.string,
  instrument_token: t.string,
  transaction_type: t.keyof({ BUY: null, SELL: null }),
  quantity: t.number,
  average_price: t.number,
  exchange_timestamp: nullable(t.string),
})
export type TradeRow = t.TypeOf<typeof TradeRow>

export const PositionRow = t.type({
  instrument_token: t.string,
  product: t.string,
  quantity: t.number,
  day_buy_quantity: t.number,
  day_sell_quantity: t.number,
  average_price: t.number,
  pnl: t.number,
  realised: t.number,
  unrealised: t.number,
})
export type PositionRow = t.TypeOf<typeof PositionRow>

export const ProfileData = t.type({ user_id: t.string, user_name: nullable(t.string) })
export type ProfileData = t.TypeOf<typeof ProfileData>

/** The token exchange answers unwrapped: the profile plus `access_token`. */
export const TokenResponse = t.type({ user_id: t.string, access_token: t.string })
export type TokenResponse = t.TypeOf<typeof TokenResponse>

/** `[timestamp+05:30, open, high, low, close, volume, oi?]`, newest first. */
export const CandleRow = t.refinement(
  t.array(t.union([t.string, t.number])),
  (r) =>
    (r.length === 6 || r.length === 7) && typeof r[0] === 'string' && r.slice(1).every((v) => typeof v === 'number'),
  'CandleRow',
)
export type CandleRow = t.TypeOf<typeof CandleRow>
export const CandlesData = t.type({ candles: t.array(CandleRow) })
export type CandlesData = t.TypeOf<typeof CandlesData>

import * as E from 'fp-ts/lib/Either.js'
import { DEFAULT_TICK_PAISE, inrToPaise } from '../../domain/money/index.js'
import { IST_OFFSET_MS } from '../../domain/time/index.js'
import type { SyntheticInstrument } from '../synthetic/index.js'
import type { SandboxUser } from './demoUser.js'
import { exchangeOf } from './instrumentMaster.js'
import type { MarketReplay, MarketTick } from './marketReplay.js'
import type { ModifyRequest, OrderType, PlaceRequest, Product, Side, Validity } from './orderFields.js'
import { type ApiError, ERR } from './restEnvelope.js'

// The venue: orders, their status strings as Upstox reports them, matching against the replayed ticks, trades,
// short-term positions and funds. Prices are integer paise inside and INR on the wire.
//
// Matching, on every tick of the order's instrument: a `trigger pending` order (SL, SL-M) triggers when a BUY's tick
// is at or above the trigger (a SELL's at or below) and becomes `open`; a MARKET or triggered SL-M order fills at the
// tick; a LIMIT or triggered SL order fills at the tick when the tick is at or better than its price. A fill takes at
// most `participation` of the tick's volume (at least one share), so a large order fills partially over several
// ticks and stays `open` with `filled_quantity` rising. IOC orders cancel what the first tick did not fill; DAY
// orders still working when the session ends are cancelled.

export type OrderStatus =
  | 'put order req received'
  | 'validation pending'
  | 'open pending'
  | 'open'
  | 'trigger pending'
  | 'modify pending'
  | 'modify validation pending'
  | 'modified'
  | 'cancel pending'
  | 'cancelled'
  | 'complete'
  | 'rejected'
  | 'after market order req received'

export interface SandboxOrder {
  readonly orderId: string
  readonly exchangeOrderId: string
  readonly userId: string
  readonly instrumentKey: string
  readonly symbol: string
  readonly side: Side
  readonly product: Product
  readonly tag: string | undefined
  readonly isAmo: boolean
  readonly orderTsMs: number
  quantity: number
  filled: number
  filledValuePaise: number
  pricePaise: number
  triggerPaise: number
  orderType: OrderType
  validity: Validity
  disclosedQuantity: number
  triggered: boolean
  status: OrderStatus
  statusMessage: string | null
  exchangeTsMs: number | undefined
  readonly history: Record<string, unknown>[]
}

interface Trade {
  readonly tradeId: string
  readonly order: SandboxOrder
  readonly qty: number
  readonly pricePaise: number
  readonly tsMs: number
}

interface Position {
  readonly userId: string
  readonly instrument: SyntheticInstrument
  readonly product: Product
  buyQty: number
  buyValuePaise: number
  sellQty: number
  sellValuePaise: number
}

export interface OrderEngineOptions {
  readonly market: MarketReplay
  readonly users: readonly SandboxUser[]
  /** Share of a tick's volume one order may take (0 < p <= 1). */
  readonly participation: number
}

export type OrderListener = (userId: string, row: Record<string, unknown>) => void

const WORKING: ReadonlySet<OrderStatus> = new Set(['open', 'trigger pending', 'after market order req received'])
const MARGIN_RATE: Readonly<Record<Product, number>> = { I: 0.2, D: 1, MTF: 0.5 }

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`)
/** `2025-01-02 09:15:30` in IST, the form Upstox uses for order and exchange timestamps. */
export const upstoxTimestamp = (ms: number): string => {
  const d = new Date(ms + IST_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  )
}
const inr = (paise: number): number => paise / 100
const formatInr = (paise: number): string => (paise / 100).toFixed(2)

export const orderRow = (o: SandboxOrder): Record<string, unknown> => ({
  exchange: exchangeOf(o.instrumentKey),
  product: o.product,
  price: inr(o.pricePaise),
  quantity: o.quantity,
  status: o.status,
  guid: null,
  tag: o.tag ?? null,
  instrument_token: o.instrumentKey,
  placed_by: o.userId,
  tradingsymbol: o.symbol,
  trading_symbol: o.symbol,
  order_type: o.orderType,
  validity: o.validity,
  trigger_price: inr(o.triggerPaise),
  disclosed_quantity: o.disclosedQuantity,
  transaction_type: o.side,
  average_price: o.filled === 0 ? 0 : Math.round(o.filledValuePaise / o.filled) / 100,
  filled_quantity: o.filled,
  pending_quantity: o.status === 'cancelled' || o.status === 'rejected' ? 0 : o.quantity - o.filled,
  status_message: o.statusMessage,
  status_message_raw: o.statusMessage,
  exchange_order_id: o.status === 'rejected' ? '' : o.exchangeOrderId,
  parent_order_id: null,
  order_id: o.orderId,
  variety: 'SIMPLE',
  order_timestamp: upstoxTimestamp(o.orderTsMs),
  exchange_timestamp: o.exchangeTsMs === undefined ? null : upstoxTimestamp(o.exchangeTsMs),
  is_amo: o.isAmo,
  order_request_id: String(o.history.length),
  order_ref_id: `SBX-${o.orderId}`,
})

const tradeRow = (t: Trade): Record<string, unknown> => ({
  exchange: exchangeOf(t.order.instrumentKey),
  product: t.order.product,
  trading_symbol: t.order.symbol,
  tradingsymbol: t.order.symbol,
  instrument_token: t.order.instrumentKey,
  order_type: t.order.orderType,
  transaction_type: t.order.side,
  quantity: t.qty,
  exchange_order_id: t.order.exchangeOrderId,
  order_id: t.order.orderId,
  exchange_timestamp: upstoxTimestamp(t.tsMs),
  average_price: inr(t.pricePaise),
  trade_id: t.tradeId,
  order_ref_id: `SBX-${t.order.orderId}`,
  order_timestamp: upstoxTimestamp(t.order.orderTsMs),
})

const positionNumbers = (p: Position, ltpPaise: number) => {
  const net = p.buyQty - p.sellQty
  const buyAvg = p.buyQty === 0 ? 0 : p.buyValuePaise / p.buyQty
  const sellAvg = p.sellQty === 0 ? 0 : p.sellValuePaise / p.sellQty
  const closed = Math.min(p.buyQty, p.sellQty)
  const realised = Math.round(closed * (sellAvg - buyAvg))
  const pnl = p.sellValuePaise - p.buyValuePaise + net * ltpPaise
  return { net, buyAvg, sellAvg, realised, pnl, unrealised: pnl - realised }
}

export const createOrderEngine = (o: OrderEngineOptions) => {
  const orders: SandboxOrder[] = []
  const byId = new Map<string, SandboxOrder>()
  const trades: Trade[] = []
  const positions = new Map<string, Position>()
  const listeners = new Set<OrderListener>()
  let orderSeq = 0
  let tradeSeq = 0

  const instrument = (key: string) => o.market.instruments.find((i) => i.instrumentKey === key)
  const ltp = (key: string) => o.market.quote(key)?.ltpPaise ?? 0
  const userOf = (userId: string) => o.users.find((u) => u.userId === userId)

  const setStatus = (ord: SandboxOrder, status: OrderStatus, message: string | null = ord.statusMessage) => {
    ord.status = status
    ord.statusMessage = message
    const row = orderRow(ord)
    ord.history.push(row)
    for (const l of listeners) l(ord.userId, row)
  }

  const positionOf = (userId: string, inst: SyntheticInstrument, product: Product): Position => {
    const key = `${userId}|${inst.instrumentKey}|${product}`
    let p = positions.get(key)
    if (p === undefined) {
      p = { userId, instrument: inst, product, buyQty: 0, buyValuePaise: 0, sellQty: 0, sellValuePaise: 0 }
      positions.set(key, p)
    }
    return p
  }

  // Funds: cash plus realised P&L, minus margin blocked by working orders (on the quantity that adds exposure) and
  // by open positions. Intraday (I) blocks 20%, delivery (D) 100%, MTF 50%.
  const refPrice = (ord: { orderType: OrderType; pricePaise: number; triggerPaise: number; instrumentKey: string }) =>
    ord.orderType === 'LIMIT' || ord.orderType === 'SL'
      ? ord.pricePaise
      : ord.orderType === 'SL-M'
        ? ord.triggerPaise
        : ltp(ord.instrumentKey)
  const funds = (userId: string) => {
    let realised = 0
    let blocked = 0
    for (const p of positions.values()) {
      if (p.userId !== userId) continue
      const n = positionNumbers(p, ltp(p.instrument.instrumentKey))
      realised += n.realised
      blocked += Math.abs(n.net) * ltp(p.instrument.instrumentKey) * MARGIN_RATE[p.product]
    }
    for (const ord of orders) {
      if (ord.userId !== userId || !WORKING.has(ord.status)) continue
      blocked += (ord.quantity - ord.filled) * refPrice(ord) * MARGIN_RATE[ord.product]
    }
    const capital = userOf(userId)?.capitalPaise ?? 0
    return { usedPaise: Math.round(blocked), availablePaise: Math.round(capital + realised - blocked) }
  }

  const requiredMargin = (userId: string, req: PlaceRequest, inst: SyntheticInstrument, pricePaise: number) => {
    const p = positions.get(`${userId}|${inst.instrumentKey}|${req.product}`)
    const net = p === undefined ? 0 : p.buyQty - p.sellQty
    const reducing = req.transactionType === 'BUY' ? Math.max(0, -net) : Math.max(0, net)
    const adding = Math.max(0, req.quantity - reducing)
    return Math.round(adding * pricePaise * MARGIN_RATE[req.product])
  }

  /** Why the venue rejects an order that passed field validation, or undefined. */
  const rejection = (userId: string, req: PlaceRequest, inst: SyntheticInstrument | undefined): string | undefined => {
    if (inst === undefined) return `Instrument ${req.instrumentToken} is not a valid instrument`
    if (!Number.isSafeInteger(req.quantity) || req.quantity <= 0) return 'Quantity should be greater than zero'
    const pricePaise = inrToPaise(req.price)
    const triggerPaise = inrToPaise(req.triggerPrice)
    if (req.orderType === 'LIMIT' || req.orderType === 'SL') {
      if (pricePaise <= 0) return 'Price should be greater than zero for a limit order'
      if (pricePaise % DEFAULT_TICK_PAISE !== 0) return `Price ${req.price} is not a multiple of the tick size 0.05`
    }
    if (req.orderType === 'SL' || req.orderType === 'SL-M') {
      if (triggerPaise <= 0) return 'Trigger price should be greater than zero for a stop loss order'
      if (triggerPaise % DEFAULT_TICK_PAISE !== 0)
        return `Trigger price ${req.triggerPrice} is not a multiple of the tick size 0.05`
    }
    const ref = refPrice({ orderType: req.orderType, pricePaise, triggerPaise, instrumentKey: inst.instrumentKey })
    const required = requiredMargin(userId, req, inst, ref)
    const { availablePaise } = funds(userId)
    if (required > availablePaise)
      return `RMS:Margin Exceeds,Required:${formatInr(required)}, Available:${formatInr(availablePaise)} for entity account-${userId} across exchange across segment across product`
    return undefined
  }

  const nextOrderId = (): string => {
    orderSeq++
    const date = o.market.replayDate().replaceAll('-', '').slice(2)
    return `${date}${String(orderSeq).padStart(9, '0')}`
  }

  const place = (userId: string, req: PlaceRequest): SandboxOrder => {
    const inst = instrument(req.instrumentToken)
    const orderId = nextOrderId()
    const now = o.market.nowMs()
    const ord: SandboxOrder = {
      orderId,
      exchangeOrderId: `13000000${String(orderSeq).padStart(8, '0')}`,
      userId,
      instrumentKey: req.instrumentToken,
      symbol: inst?.symbol ?? '',
      side: req.transactionType,
      product: req.product,
      tag: req.tag,
      isAmo: req.isAmo,
      orderTsMs: now,
      quantity: Number.isSafeInteger(req.quantity) ? req.quantity : 0,
      filled: 0,
      filledValuePaise: 0,
      pricePaise: inrToPaise(req.price),
      triggerPaise: inrToPaise(req.triggerPrice),
      orderType: req.orderType,
      validity: req.validity,
      disclosedQuantity: req.disclosedQuantity,
      triggered: false,
      status: 'put order req received',
      statusMessage: null,
      exchangeTsMs: undefined,
      history: [],
    }
    orders.push(ord)
    byId.set(orderId, ord)
    setStatus(ord, 'put order req received')
    setStatus(ord, 'validation pending')
    const why = rejection(userId, req, inst)
    if (why !== undefined) {
      setStatus(ord, 'rejected', why)
      return ord
    }
    if (req.isAmo) {
      setStatus(ord, 'after market order req received')
      return ord
    }
    setStatus(ord, 'open pending')
    ord.exchangeTsMs = now
    setStatus(ord, req.orderType === 'SL' || req.orderType === 'SL-M' ? 'trigger pending' : 'open')
    return ord
  }

  const find = (userId: string, orderId: string): SandboxOrder | undefined => {
    const ord = byId.get(orderId)
    return ord?.userId === userId ? ord : undefined
  }

  const modify = (userId: string, req: ModifyRequest): E.Either<ApiError, SandboxOrder> => {
    const ord = find(userId, req.orderId)
    if (ord === undefined) return E.left(ERR.orderNotFound(req.orderId))
    if (!WORKING.has(ord.status)) return E.left(ERR.modifyNotAllowed(ord.orderId))
    const quantity = req.quantity ?? ord.quantity
    if (!Number.isSafeInteger(quantity) || quantity <= ord.filled)
      return E.left(ERR.invalidInput('quantity', req.quantity, 'Quantity should be greater than the filled quantity'))
    const orderType = req.orderType ?? ord.orderType
    const pricePaise = req.price === undefined ? ord.pricePaise : inrToPaise(req.price)
    const triggerPaise = req.triggerPrice === undefined ? ord.triggerPaise : inrToPaise(req.triggerPrice)
    if ((orderType === 'LIMIT' || orderType === 'SL') && (pricePaise <= 0 || pricePaise % DEFAULT_TICK_PAISE !== 0))
      return E.left(ERR.invalidInput('price', req.price, 'Price should be a positive multiple of the tick size 0.05'))
    if ((orderType === 'SL' || orderType === 'SL-M') && (triggerPaise <= 0 || triggerPaise % DEFAULT_TICK_PAISE !== 0))
      return E.left(
        ERR.invalidInput('trigger_price', req.triggerPrice, 'Trigger price should be a positive multiple of 0.05'),
      )
    const wasAmo = ord.status === 'after market order req received'
    setStatus(ord, 'modify pending')
    setStatus(ord, 'modify validation pending')
    ord.quantity = quantity
    ord.orderType = orderType
    ord.pricePaise = pricePaise
    ord.triggerPaise = triggerPaise
    ord.validity = req.validity ?? ord.validity
    ord.disclosedQuantity = req.disclosedQuantity ?? ord.disclosedQuantity
    if (orderType !== 'SL' && orderType !== 'SL-M') ord.triggered = false
    setStatus(ord, 'modified')
    if (wasAmo) setStatus(ord, 'after market order req received')
    else setStatus(ord, (orderType === 'SL' || orderType === 'SL-M') && !ord.triggered ? 'trigger pending' : 'open')
    return E.right(ord)
  }

  const cancel = (userId: string, orderId: string): E.Either<ApiError, SandboxOrder> => {
    const ord = find(userId, orderId)
    if (ord === undefined) return E.left(ERR.orderNotFound(orderId))
    if (!WORKING.has(ord.status)) return E.left(ERR.cancelNotAllowed(orderId))
    setStatus(ord, 'cancel pending')
    setStatus(ord, 'cancelled')
    return E.right(ord)
  }

  const fill = (ord: SandboxOrder, qty: number, pricePaise: number, tsMs: number) => {
    const inst = instrument(ord.instrumentKey)
    if (inst === undefined) return
    tradeSeq++
    trades.push({ tradeId: String(50_000_000 + tradeSeq), order: ord, qty, pricePaise, tsMs })
    ord.filled += qty
    ord.filledValuePaise += qty * pricePaise
    ord.exchangeTsMs = tsMs
    const p = positionOf(ord.userId, inst, ord.product)
    if (ord.side === 'BUY') {
      p.buyQty += qty
      p.buyValuePaise += qty * pricePaise
    } else {
      p.sellQty += qty
      p.sellValuePaise += qty * pricePaise
    }
    setStatus(ord, ord.filled >= ord.quantity ? 'complete' : 'open', null)
  }

  const matchTick = (tick: MarketTick) => {
    for (const ord of orders) {
      if (ord.instrumentKey !== tick.instrumentKey) continue
      if (ord.status !== 'open' && ord.status !== 'trigger pending') continue
      const price = tick.pricePaise
      if (ord.status === 'trigger pending') {
        const hit = ord.side === 'BUY' ? price >= ord.triggerPaise : price <= ord.triggerPaise
        if (!hit) {
          if (ord.validity === 'IOC') setStatus(ord, 'cancelled', 'IOC order cancelled: not triggered')
          continue
        }
        ord.triggered = true
        setStatus(ord, 'open')
      }
      const marketable =
        ord.orderType === 'MARKET' ||
        ord.orderType === 'SL-M' ||
        (ord.side === 'BUY' ? price <= ord.pricePaise : price >= ord.pricePaise)
      if (marketable) {
        const cap = Math.max(1, Math.floor(tick.qty * o.participation))
        fill(ord, Math.min(ord.quantity - ord.filled, cap), price, tick.tsMs)
      }
      if (ord.validity === 'IOC' && ord.status === 'open')
        setStatus(ord, 'cancelled', 'IOC order cancelled: unfilled quantity')
    }
  }

  o.market.onTicks((ticks) => {
    for (const t of ticks) matchTick(t)
  })
  o.market.onDayEnded(() => {
    for (const ord of orders) {
      if (ord.status === 'open' || ord.status === 'trigger pending') {
        setStatus(ord, 'cancelled', 'Order cancelled at the end of the session')
      } else if (ord.status === 'after market order req received') {
        setStatus(ord, 'open pending')
        setStatus(ord, ord.orderType === 'SL' || ord.orderType === 'SL-M' ? 'trigger pending' : 'open')
      }
    }
  })

  const positionRow = (p: Position): Record<string, unknown> => {
    const l = ltp(p.instrument.instrumentKey)
    const n = positionNumbers(p, l)
    const cp = o.market.quote(p.instrument.instrumentKey)?.cpPaise ?? l
    return {
      exchange: exchangeOf(p.instrument.instrumentKey),
      multiplier: 1.0,
      value: inr(p.sellValuePaise - p.buyValuePaise),
      pnl: inr(n.pnl),
      product: p.product,
      instrument_token: p.instrument.instrumentKey,
      average_price: n.net > 0 ? inr(n.buyAvg) : n.net < 0 ? inr(n.sellAvg) : 0,
      buy_value: inr(p.buyValuePaise),
      overnight_quantity: 0,
      day_buy_value: inr(p.buyValuePaise),
      day_buy_price: inr(n.buyAvg),
      overnight_buy_amount: 0,
      overnight_buy_quantity: 0,
      day_buy_quantity: p.buyQty,
      day_sell_value: inr(p.sellValuePaise),
      day_sell_price: inr(n.sellAvg),
      overnight_sell_amount: 0,
      overnight_sell_quantity: 0,
      day_sell_quantity: p.sellQty,
      quantity: n.net,
      last_price: inr(l),
      unrealised: inr(n.unrealised),
      realised: inr(n.realised),
      sell_value: inr(p.sellValuePaise),
      trading_symbol: p.instrument.symbol,
      tradingsymbol: p.instrument.symbol,
      close_price: inr(cp),
      buy_price: inr(n.buyAvg),
      sell_price: inr(n.sellAvg),
    }
  }

  return {
    place,
    modify,
    cancel,
    find,
    orderBook: (userId: string) => orders.filter((x) => x.userId === userId).map(orderRow),
    /** Orders that can still be cancelled, optionally only those with `tag`. */
    workingOrders: (userId: string, tag?: string) =>
      orders.filter((x) => x.userId === userId && WORKING.has(x.status) && (tag === undefined || x.tag === tag)),
    byTag: (userId: string, tag: string) => orders.filter((x) => x.userId === userId && x.tag === tag),
    trades: (userId: string, orderId?: string) =>
      trades
        .filter((t) => t.order.userId === userId && (orderId === undefined || t.order.orderId === orderId))
        .map(tradeRow),
    positions: (userId: string) => [...positions.values()].filter((p) => p.userId === userId).map(positionRow),
    /** The user's non-flat positions: what `positions/exit` closes. */
    openPositions: (userId: string) =>
      [...positions.values()]
        .filter((p) => p.userId === userId && p.buyQty !== p.sellQty)
        .map((p) => ({ instrumentKey: p.instrument.instrumentKey, product: p.product, net: p.buyQty - p.sellQty })),
    funds,
    onOrderUpdate: (l: OrderListener): (() => void) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
}

export type OrderEngine = ReturnType<typeof createOrderEngine>

import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { unsafe } from '../../domain/ids/index.js'
import { UPSTOX_STATUS_MAP } from '../../domain/orders/index.js'
import { orderChanges, trackOrder } from './brokerOrderEvents.js'
import type { OrderRow, TradeRow } from './responseCodecs.js'

const tracked = trackOrder({
  orderId: unsafe.orderId('o-1'),
  brokerOrderId: '100',
  strategyId: unsafe.strategyId('s'),
  instrumentKey: unsafe.instrumentKey('NSE_EQ|INE002A01018'),
  side: 'SELL',
})

const row = (o: Partial<OrderRow> = {}): OrderRow => ({
  order_id: '100',
  status: 'open',
  status_message: null,
  instrument_token: 'NSE_EQ|INE002A01018',
  tag: 'o-1',
  quantity: 10,
  filled_quantity: 0,
  pending_quantity: 10,
  average_price: 0,
  price: 0,
  transaction_type: 'SELL',
  order_type: 'MARKET',
  product: 'I',
  order_timestamp: null,
  ...o,
})

const trade = (id: string, qty: number, px: number): TradeRow => ({
  trade_id: id,
  order_id: '100',
  instrument_token: 'NSE_EQ|INE002A01018',
  transaction_type: 'SELL',
  quantity: qty,
  average_price: px,
  exchange_timestamp: null,
})

describe('order rows to domain events', () => {
  it('maps every known Upstox status without error', () => {
    for (const status of Object.keys(UPSTOX_STATUS_MAP))
      expect(E.isRight(orderChanges(tracked, row({ status }), []))).toBe(true)
  })

  it('an unknown status string is a typed error, not a crash', () => {
    expect(orderChanges(tracked, row({ status: 'teleported' }), [])).toEqual(
      E.left({ _tag: 'UnknownOrderStatus', orderId: 'o-1', brokerStatus: 'teleported' }),
    )
  })

  it('one OrderFilled per new trade, in paise, and complete only once the fills add up', () => {
    const partial = orderChanges(tracked, row({ status: 'complete', filled_quantity: 10 }), [trade('t1', 4, 1234.55)])
    if (E.isLeft(partial)) throw new Error('left')
    expect(partial.right.events).toEqual([
      {
        type: 'OrderFilled',
        payload: {
          orderId: 'o-1',
          tradeId: 't1',
          strategyId: 's',
          instrumentKey: 'NSE_EQ|INE002A01018',
          side: 'SELL',
          fillQty: 4,
          fillPricePaise: 123455,
          feesPaise: 0,
        },
      },
    ])
    expect(partial.right.tracked.done).toBe(false)
    const rest = orderChanges(partial.right.tracked, row({ status: 'complete', filled_quantity: 10 }), [
      trade('t1', 4, 1234.55),
      trade('t2', 6, 1234.6),
    ])
    if (E.isLeft(rest)) throw new Error('left')
    expect(rest.right.events.map((e) => e.type)).toEqual(['OrderFilled', 'OrderUpdated'])
    expect(rest.right.tracked).toMatchObject({ done: true, filledQty: 10, lastBrokerStatus: 'complete' })
  })

  it('rejected and cancelled carry the status message as the reason', () => {
    const rej = orderChanges(tracked, row({ status: 'rejected', status_message: 'RMS:Margin Exceeds' }), [])
    expect(E.isRight(rej) && rej.right.events).toEqual([
      { type: 'OrderRejected', payload: { orderId: 'o-1', reason: 'RMS:Margin Exceeds', brokerStatus: 'rejected' } },
    ])
    const can = orderChanges(tracked, row({ status: 'cancelled after market order' }), [])
    expect(E.isRight(can) && can.right.events).toEqual([
      { type: 'OrderCancelled', payload: { orderId: 'o-1', reason: 'cancelled after market order' } },
    ])
  })
})

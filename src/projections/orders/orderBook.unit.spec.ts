import { describe, expect, it } from 'vitest'
import { sampleEvent } from '../../domain/events/events.fixtures.js'
import type { EventDraft } from '../../domain/events/index.js'
import { type OrderStatus, UPSTOX_STATUS_MAP } from '../../domain/orders/index.js'
import {
  numbered,
  orderAccepted,
  orderCancelled,
  orderCancelRequested,
  orderDenied,
  orderExpired,
  orderFilled,
  orderModified,
  orderModifyRejected,
  orderModifyRequested,
  orderRejected,
  orderRequested,
  orderSubmitted,
  orderUpdated,
  T0,
} from './orderBook.fixtures.js'
import { createOrderBook, evolveOrderBook, type OrderBookState, type OrderView } from './orderBook.js'

const ID = 'o1'

const fold = (drafts: readonly EventDraft[]): OrderBookState => {
  const book = createOrderBook()
  for (const e of numbered(drafts)) evolveOrderBook(book, e)
  return book
}

const orderAfter = (drafts: readonly EventDraft[]): OrderView => {
  const o = fold(drafts).orders.get(ID)
  if (o === undefined) throw new Error('order not in the book')
  return o
}

const requested = orderRequested({ orderId: ID, qty: 10 })
const submitted = [requested, orderSubmitted(ID)]
const accepted = [...submitted, orderAccepted(ID)]

describe('given nothing', () => {
  it('when an order is requested, then it is in the book and working, with the request fields', () => {
    const book = fold([requested])
    const o = book.orders.get(ID)
    expect(o).toMatchObject({
      status: 'requested',
      side: 'BUY',
      qty: 10,
      orderType: 'MARKET',
      filledQty: 0,
      reason: 'test order',
      requestedSeq: 1,
      lastSeq: 1,
      lateEvents: 0,
      brokerOrderId: undefined,
    })
    expect(book.working.get(ID)).toBe(o)
  })

  it('events about an unknown order, and events that are not about orders, change nothing', () => {
    const book = fold([orderSubmitted(ID), orderAccepted(ID), orderFilled({ orderId: ID, fillQty: 1 })])
    expect(book.orders.size).toBe(0)
    const other = fold([requested])
    const before = JSON.stringify([...other.orders.values()])
    for (const type of ['TickReceived', 'BarClosed', 'SignalEmitted', 'KillSwitchEngaged', 'RunStarted'] as const) {
      evolveOrderBook(other, { ...sampleEvent(type), ts: 0, seq: 99 } as never)
    }
    expect(JSON.stringify([...other.orders.values()])).toBe(before)
  })

  it('a second request with the same id is ignored', () => {
    const o = orderAfter([requested, orderRequested({ orderId: ID, qty: 99, side: 'SELL' })])
    expect(o).toMatchObject({ qty: 10, side: 'BUY', requestedSeq: 1, lastSeq: 1 })
  })
})

describe('transitions, each from the state it normally follows', () => {
  it.each<[string, readonly EventDraft[], OrderStatus]>([
    ['requested -> denied', [requested, orderDenied(ID, 'KillSwitch', 'halted')], 'denied'],
    ['requested -> submitted', submitted, 'submitted'],
    ['submitted -> open (MARKET accepted)', accepted, 'open'],
    [
      'submitted -> open (LIMIT accepted)',
      [orderRequested({ orderId: ID, orderType: 'LIMIT' }), orderSubmitted(ID), orderAccepted(ID)],
      'open',
    ],
    [
      'submitted -> trigger_pending (SL accepted)',
      [orderRequested({ orderId: ID, orderType: 'SL' }), orderSubmitted(ID), orderAccepted(ID)],
      'trigger_pending',
    ],
    [
      'submitted -> trigger_pending (SL-M accepted)',
      [orderRequested({ orderId: ID, orderType: 'SL-M' }), orderSubmitted(ID), orderAccepted(ID)],
      'trigger_pending',
    ],
    ['submitted -> rejected', [...submitted, orderRejected(ID, 'RMS: margin')], 'rejected'],
    ['open -> partially_filled', [...accepted, orderFilled({ orderId: ID, fillQty: 4 })], 'partially_filled'],
    ['open -> filled', [...accepted, orderFilled({ orderId: ID, fillQty: 10 })], 'filled'],
    ['open -> pending_cancel', [...accepted, orderCancelRequested(ID)], 'pending_cancel'],
    ['pending_cancel -> cancelled', [...accepted, orderCancelRequested(ID), orderCancelled(ID)], 'cancelled'],
    ['open -> cancelled (by the venue)', [...accepted, orderCancelled(ID)], 'cancelled'],
    ['open -> expired', [...accepted, orderExpired(ID)], 'expired'],
    [
      'pending_cancel -> filled (the fill won the race)',
      [...accepted, orderCancelRequested(ID), orderFilled({ orderId: ID, fillQty: 10 })],
      'filled',
    ],
    [
      'pending_cancel -> pending_cancel (a part filled while the cancel is in flight)',
      [...accepted, orderCancelRequested(ID), orderFilled({ orderId: ID, fillQty: 4 })],
      'pending_cancel',
    ],
    [
      'partially_filled -> partially_filled (accepted after a fill)',
      [...submitted, orderFilled({ orderId: ID, fillQty: 3 }), orderAccepted(ID)],
      'partially_filled',
    ],
    [
      'partially_filled -> cancelled',
      [...accepted, orderFilled({ orderId: ID, fillQty: 3 }), orderCancelled(ID)],
      'cancelled',
    ],
  ])('%s', (_name, drafts, status) => {
    const book = fold(drafts)
    const o = book.orders.get(ID)!
    expect(o.status).toBe(status)
    expect(o.lastSeq).toBe(drafts.length)
    expect(o.lateEvents).toBe(0)
    const terminal = ['denied', 'filled', 'cancelled', 'rejected', 'expired'].includes(status)
    expect(book.working.has(ID)).toBe(!terminal)
  })

  it('acceptance records the broker order id; denial, rejection, cancellation and expiry record the reason', () => {
    expect(orderAfter(accepted).brokerOrderId).toBe(`B-${ID}`)
    expect(orderAfter([requested, orderDenied(ID, 'KillSwitch', 'halted')]).reason).toBe('halted')
    expect(orderAfter([...submitted, orderRejected(ID, 'RMS: margin', 'rejected')])).toMatchObject({
      reason: 'RMS: margin',
      brokerStatus: 'rejected',
    })
    expect(orderAfter([...accepted, orderCancelled(ID, 'user')]).reason).toBe('user')
    expect(orderAfter([...accepted, orderExpired(ID, 'DAY order unfilled')]).reason).toBe('DAY order unfilled')
  })
})

describe('fills', () => {
  it('partial fills move to partially_filled, then filled; quantity, value and fees add up', () => {
    const book = createOrderBook()
    const events = numbered([
      ...accepted,
      orderFilled({ orderId: ID, fillQty: 3, fillPricePaise: 100_00, feesPaise: 5 }),
      orderFilled({ orderId: ID, fillQty: 4, fillPricePaise: 101_00, feesPaise: 7 }),
      orderFilled({ orderId: ID, fillQty: 3, fillPricePaise: 102_00, feesPaise: 6 }),
    ])
    const statuses = events.map((e) => evolveOrderBook(book, e).orders.get(ID)?.status)
    expect(statuses).toEqual(['requested', 'submitted', 'open', 'partially_filled', 'partially_filled', 'filled'])
    expect(book.orders.get(ID)).toMatchObject({
      filledQty: 10,
      filledValuePaise: 3 * 100_00 + 4 * 101_00 + 3 * 102_00,
      feesPaise: 18,
      lastSeq: 6,
      lateEvents: 0,
    })
    expect(book.working.has(ID)).toBe(false)
  })

  it('an Upstox `open` after a partial fill keeps it partially_filled', () => {
    expect(orderAfter([...accepted, orderFilled({ orderId: ID, fillQty: 4 }), orderUpdated(ID, 'open')]).status).toBe(
      'partially_filled',
    )
  })

  it('a fill after `complete` within the quantity is not late; the quantity still counts', () => {
    const o = orderAfter([
      ...accepted,
      orderUpdated(ID, 'complete'),
      orderFilled({ orderId: ID, fillQty: 6 }),
      orderFilled({ orderId: ID, fillQty: 4 }),
    ])
    expect(o).toMatchObject({ status: 'filled', filledQty: 10, lateEvents: 0, lastSeq: 6 })
  })

  it('a fill beyond the quantity after `complete` is late', () => {
    const o = orderAfter([
      ...accepted,
      orderUpdated(ID, 'complete'),
      orderFilled({ orderId: ID, fillQty: 10 }),
      orderFilled({ orderId: ID, fillQty: 1 }),
    ])
    expect(o).toMatchObject({ status: 'filled', filledQty: 11, lateEvents: 1, lastSeq: 6 })
  })

  it('a fill on a cancelled order is late but its quantity counts (the shares did change hands)', () => {
    const o = orderAfter([...accepted, orderCancelled(ID), orderFilled({ orderId: ID, fillQty: 2 })])
    expect(o).toMatchObject({ status: 'cancelled', filledQty: 2, lateEvents: 1, lastSeq: 5 })
  })
})

describe('Upstox status strings through OrderUpdated', () => {
  it.each<[string, OrderStatus]>([
    ['put order req received', 'submitted'],
    ['validation pending', 'submitted'],
    ['open pending', 'submitted'],
    ['after market order req received', 'submitted'],
    ['open', 'open'],
    ['trigger pending', 'trigger_pending'],
    ['modify pending', 'pending_modify'],
    ['modify validation pending', 'pending_modify'],
    ['modify after market order req received', 'pending_modify'],
    ['modified', 'open'],
    ['not modified', 'open'],
    ['cancel pending', 'pending_cancel'],
    ['not cancelled', 'open'],
    ['cancelled', 'cancelled'],
    ['cancelled after market order', 'cancelled'],
    ['complete', 'filled'],
    ['rejected', 'rejected'],
  ])('%s -> %s', (brokerStatus, status) => {
    const o = orderAfter([...submitted, orderUpdated(ID, brokerStatus, { brokerOrderId: 'U1', statusMessage: 'msg' })])
    expect(o).toMatchObject({ status, brokerStatus, brokerOrderId: 'U1', reason: 'msg', lastSeq: 3, lateEvents: 0 })
  })

  it('the table above covers every status in the map', () => {
    expect(Object.keys(UPSTOX_STATUS_MAP)).toHaveLength(17)
  })

  it('modify pending -> modified, cancel pending -> not cancelled: the order is working again', () => {
    const o = orderAfter([...accepted, orderUpdated(ID, 'modify pending'), orderUpdated(ID, 'modified')])
    expect(o.status).toBe('open')
    const p = orderAfter([...accepted, orderUpdated(ID, 'cancel pending'), orderUpdated(ID, 'not cancelled')])
    expect(p.status).toBe('open')
  })

  it('an unknown status string is counted in lateEvents and changes nothing else', () => {
    const o = orderAfter([...accepted, orderUpdated(ID, 'teleported', { brokerOrderId: 'X', statusMessage: '?' })])
    expect(o).toMatchObject({ status: 'open', brokerStatus: undefined, brokerOrderId: `B-${ID}`, lateEvents: 1 })
    expect(o.reason).toBe('test order')
    expect(o.lastSeq).toBe(4)
  })
})

describe('late events on a terminal order', () => {
  const terminals: [OrderStatus, readonly EventDraft[]][] = [
    ['denied', [requested, orderDenied(ID, 'KillSwitch', 'halted')]],
    ['filled', [...accepted, orderFilled({ orderId: ID, fillQty: 10 })]],
    ['cancelled', [...accepted, orderCancelled(ID, 'user')]],
    ['rejected', [...submitted, orderRejected(ID, 'RMS', 'rejected')]],
    ['expired', [...accepted, orderExpired(ID, 'eod')]],
  ]
  const late: [string, EventDraft][] = [
    ['OrderSubmitted', orderSubmitted(ID)],
    ['OrderAccepted', orderAccepted(ID)],
    ['OrderUpdated open', orderUpdated(ID, 'open', { brokerOrderId: 'LATE', statusMessage: 'late' })],
    ['OrderUpdated trigger pending', orderUpdated(ID, 'trigger pending')],
    ['OrderCancelRequested', orderCancelRequested(ID, 'late')],
    ['OrderCancelled', orderCancelled(ID, 'late')],
    ['OrderRejected', orderRejected(ID, 'late', 'late')],
    ['OrderExpired', orderExpired(ID, 'late')],
    ['OrderDenied', orderDenied(ID, 'late', 'late')],
    ['OrderModifyRequested', orderModifyRequested(ID, { triggerPricePaise: 99_00 }, 'late')],
    ['OrderModified', orderModified(ID, { triggerPricePaise: 99_00 })],
  ]

  describe.each(terminals)('given %s', (status, history) => {
    it.each(late)('when %s arrives, then it is counted late and the order is unchanged', (_name, event) => {
      const before = orderAfter(history)
      const book = fold([...history, event])
      const after = book.orders.get(ID)!
      expect(after).toEqual({ ...before, lateEvents: 1, lastSeq: history.length + 1 })
      expect(after.status).toBe(status)
      expect(book.working.has(ID)).toBe(false)
    })
  })
})

describe('given a working stop (SL-M, trigger 980.00)', () => {
  const stop = orderRequested({ orderId: ID, side: 'SELL', qty: 10, orderType: 'SL-M', reason: 'stop at 980.00' })
  const working = [
    { ...stop, payload: { ...stop.payload, triggerPricePaise: 98_000 } } as typeof stop,
    orderSubmitted(ID),
    orderAccepted(ID),
  ]
  const ask = orderModifyRequested(ID, { triggerPricePaise: 101_000 }, 'trailing: moved to 1010.00', T0 + 60_000)

  it('when a modification is asked for, then it is pending and the order still works at its old trigger', () => {
    const o = orderAfter([...working, ask])
    expect(o).toMatchObject({ status: 'trigger_pending', triggerPricePaise: 98_000, reason: 'stop at 980.00' })
    expect(o.modifyPending).toEqual({ triggerPricePaise: 101_000, reason: 'trailing: moved to 1010.00' })
    expect(o.lastModifyTs).toBe(T0 + 60_000)
  })

  it('when the venue confirms it, then the order works at the new trigger, for the reason it was moved', () => {
    const o = orderAfter([...working, ask, orderModified(ID, { triggerPricePaise: 101_000 })])
    expect(o).toMatchObject({
      status: 'trigger_pending',
      triggerPricePaise: 101_000,
      limitPricePaise: undefined,
      reason: 'trailing: moved to 1010.00',
      modifyPending: undefined,
      lastModifyTs: T0 + 60_000,
      lastSeq: 5,
    })
  })

  it('when the venue refuses it, then the order works on at its old trigger and nothing is pending', () => {
    const o = orderAfter([...working, ask, orderModifyRejected(ID, 'not modified')])
    expect(o).toMatchObject({ triggerPricePaise: 98_000, reason: 'stop at 980.00', modifyPending: undefined })
    expect(o.lateEvents).toBe(0)
  })
})

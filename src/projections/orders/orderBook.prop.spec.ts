import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventDraft, OrderType } from '../../domain/events/index.js'
import { isTerminal, type OrderStatus, UPSTOX_STATUS_MAP } from '../../domain/orders/index.js'
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
} from './orderBook.fixtures.js'
import { createOrderBook, evolveOrderBook } from './orderBook.js'

// The order state machine over random event sequences for a few orders: every order event type, every Upstox
// status string and some it has never sent, in any order, duplicates and late reports included. Modifications move
// a working order's prices and never a terminal one's.

const IDS = ['a', 'b', 'c'] as const
const idArb = fc.constantFrom(...IDS)
const statusArb = fc.oneof(
  fc.constantFrom(...Object.keys(UPSTOX_STATUS_MAP)),
  fc.constantFrom('teleported', 'OPEN', 'Complete', '', 'constructor', 'toString'),
)

const requestArb = fc
  .record({
    id: idArb,
    qty: fc.integer({ min: 1, max: 20 }),
    orderType: fc.constantFrom<OrderType>('MARKET', 'LIMIT', 'SL', 'SL-M'),
  })
  .map(({ id, qty, orderType }) => orderRequested({ orderId: id, qty, orderType }))

const eventArb: fc.Arbitrary<EventDraft> = fc.oneof(
  requestArb,
  idArb.map((id) => orderDenied(id, 'KillSwitch', 'halted')),
  idArb.map((id) => orderSubmitted(id)),
  idArb.map((id) => orderAccepted(id)),
  idArb.map((id) => orderRejected(id, 'RMS', 'rejected')),
  fc.tuple(idArb, statusArb).map(([id, st]) => orderUpdated(id, st, { statusMessage: st })),
  idArb.map((id) => orderCancelRequested(id)),
  idArb.map((id) => orderCancelled(id)),
  idArb.map((id) => orderExpired(id)),
  fc
    .tuple(idArb, fc.integer({ min: 1, max: 100_000 }))
    .map(([id, px]) => orderModifyRequested(id, { triggerPricePaise: px })),
  fc.tuple(idArb, fc.integer({ min: 1, max: 100_000 })).map(([id, px]) => orderModified(id, { limitPricePaise: px })),
  idArb.map((id) => orderModifyRejected(id)),
  fc
    .tuple(idArb, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 100_000 }))
    .map(([id, q, px]) => orderFilled({ orderId: id, fillQty: q, fillPricePaise: px, feesPaise: q })),
)

const journalArb = fc
  .tuple(fc.array(requestArb, { maxLength: 3 }), fc.array(eventArb, { maxLength: 60, size: 'max' }))
  .map(([requests, events]) => numbered([...requests, ...events]))

describe('the order book over random order events', () => {
  it('a terminal order never leaves its state; fills add up; working holds exactly the live orders', () => {
    fc.assert(
      fc.property(journalArb, (journal) => {
        const book = createOrderBook()
        const terminalAs = new Map<string, OrderStatus>()
        const fills = new Map<string, { qty: number; value: number; fees: number }>()
        const late = new Map<string, number>()
        const pricesWhenTerminal = new Map<string, string>()
        for (const e of journal) {
          evolveOrderBook(book, e)
          if (e.type === 'OrderFilled' && book.orders.has(e.payload.orderId)) {
            const f = fills.get(e.payload.orderId) ?? { qty: 0, value: 0, fees: 0 }
            f.qty += e.payload.fillQty
            f.value += e.payload.fillQty * e.payload.fillPricePaise
            f.fees += e.payload.feesPaise
            fills.set(e.payload.orderId, f)
          }
          // Plain comparisons collected as text: this runs after every event.
          const wrong: string[] = []
          for (const [id, o] of book.orders) {
            const was = terminalAs.get(id)
            if (was !== undefined && o.status !== was) wrong.push(`${id} left ${was} for ${o.status}`)
            if (was === undefined && isTerminal(o.status)) terminalAs.set(id, o.status)
            const prices = `${o.limitPricePaise}/${o.triggerPricePaise}/${o.reason}`
            const frozen = pricesWhenTerminal.get(id)
            if (frozen !== undefined && prices !== frozen)
              wrong.push(`${id} moved from ${frozen} to ${prices} once terminal`)
            if (frozen === undefined && isTerminal(o.status)) pricesWhenTerminal.set(id, prices)
            const f = fills.get(id) ?? { qty: 0, value: 0, fees: 0 }
            if (o.filledQty !== f.qty) wrong.push(`${id} filledQty ${o.filledQty}, fills add to ${f.qty}`)
            if (o.filledValuePaise !== f.value) wrong.push(`${id} filledValuePaise ${o.filledValuePaise} != ${f.value}`)
            if (o.feesPaise !== f.fees) wrong.push(`${id} feesPaise ${o.feesPaise} != ${f.fees}`)
            if (o.lateEvents < (late.get(id) ?? 0)) wrong.push(`${id} lateEvents went down`)
            late.set(id, o.lateEvents)
            if (book.working.get(id) !== (isTerminal(o.status) ? undefined : o)) wrong.push(`${id} working is wrong`)
          }
          if (book.working.size !== [...book.orders.values()].filter((o) => !isTerminal(o.status)).length) {
            wrong.push('working holds an order the book does not know')
          }
          const about = 'orderId' in e.payload ? book.orders.get(e.payload.orderId) : undefined
          if (about !== undefined && e.type !== 'OrderRequested' && about.lastSeq !== e.seq) {
            wrong.push(`${about.orderId} lastSeq ${about.lastSeq}, not ${e.seq}`)
          }
          expect(wrong, `after seq ${e.seq} ${e.type}`).toEqual([])
        }
      }),
      { numRuns: 300 },
    )
  })
})

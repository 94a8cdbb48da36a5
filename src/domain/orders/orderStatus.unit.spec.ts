import { describe, expect, it } from 'vitest'
import { isTerminal, mapUpstoxStatus, ORDER_STATUSES, type OrderStatus, UPSTOX_STATUS_MAP } from './orderStatus.js'

// The "Order statuses" bullet of shared/UPSTOX.md, copied verbatim: the list under test is read from this text,
// not retyped, so a status added to the doc and pasted here is checked without further edits.
const UPSTOX_MD_ORDER_STATUSES = `
- Order statuses (lowercase strings): \`put order req received\`, \`validation pending\`,
  \`open pending\`, \`open\`, \`trigger pending\`, \`modify pending\`, \`modify validation pending\`,
  \`modified\`, \`not modified\`, \`cancel pending\`, \`not cancelled\`, \`cancelled\`, \`complete\`,
  \`rejected\`, \`after market order req received\`, \`modify after market order req received\`,
  \`cancelled after market order\`.
`
const DOCUMENTED = [...UPSTOX_MD_ORDER_STATUSES.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string)

describe('Upstox order status strings', () => {
  it('the documented list was read from the doc text', () => {
    expect(DOCUMENTED).toHaveLength(17)
    expect(new Set(DOCUMENTED).size).toBe(DOCUMENTED.length)
  })

  it.each(DOCUMENTED)('given the documented status %j, then it maps to one of our states', (status) => {
    const state = mapUpstoxStatus(status)
    expect(state).toBeDefined()
    expect(ORDER_STATUSES).toContain(state)
  })

  it('every string in the map is a documented status (no invented ones)', () => {
    expect(Object.keys(UPSTOX_STATUS_MAP).sort()).toEqual([...DOCUMENTED].sort())
  })

  it('given the final broker statuses, then they map to terminal states; every other status is non-terminal', () => {
    const finalStatuses: Record<string, OrderStatus> = {
      complete: 'filled',
      rejected: 'rejected',
      cancelled: 'cancelled',
      'cancelled after market order': 'cancelled',
    }
    for (const status of DOCUMENTED) {
      const state = mapUpstoxStatus(status) as OrderStatus
      if (Object.hasOwn(finalStatuses, status)) expect(state).toBe(finalStatuses[status])
      expect(isTerminal(state)).toBe(Object.hasOwn(finalStatuses, status))
    }
  })

  it('given a failed modify or cancel, then the order is working again', () => {
    expect(mapUpstoxStatus('not modified')).toBe('open')
    expect(mapUpstoxStatus('not cancelled')).toBe('open')
    expect(mapUpstoxStatus('trigger pending')).toBe('trigger_pending')
    expect(mapUpstoxStatus('cancel pending')).toBe('pending_cancel')
  })

  it.each([
    'OPEN',
    'Complete',
    ' open',
    'completed',
    'filled',
    '',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ])('given the unknown string %j, then it maps to undefined', (status) => {
    expect(mapUpstoxStatus(status)).toBeUndefined()
  })
})

describe('terminal states', () => {
  it('are exactly denied, filled, cancelled, rejected and expired', () => {
    expect(ORDER_STATUSES.filter(isTerminal).sort()).toEqual(['cancelled', 'denied', 'expired', 'filled', 'rejected'])
  })

  it('ORDER_STATUSES lists each state once', () => {
    expect(new Set(ORDER_STATUSES).size).toBe(ORDER_STATUSES.length)
  })
})

// The order state machine's states and the mapping from every Upstox status string to one of them.
// Terminal states (filled, cancelled, rejected, expired, denied) are never left.

export type OrderStatus =
  | 'requested'
  | 'denied'
  | 'submitted'
  | 'open'
  | 'trigger_pending'
  | 'partially_filled'
  | 'pending_modify'
  | 'pending_cancel'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired'

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'requested',
  'denied',
  'submitted',
  'open',
  'trigger_pending',
  'partially_filled',
  'pending_modify',
  'pending_cancel',
  'filled',
  'cancelled',
  'rejected',
  'expired',
]

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['denied', 'filled', 'cancelled', 'rejected', 'expired'])

export const isTerminal = (s: OrderStatus): boolean => TERMINAL.has(s)

/**
 * Every order status Upstox reports (lower-case strings, see UPSTOX.md), mapped to our state.
 * `not modified` and `not cancelled` mean the request failed and the order is working again.
 */
export const UPSTOX_STATUS_MAP: Readonly<Record<string, OrderStatus>> = {
  'put order req received': 'submitted',
  'validation pending': 'submitted',
  'open pending': 'submitted',
  'after market order req received': 'submitted',
  open: 'open',
  'trigger pending': 'trigger_pending',
  'modify pending': 'pending_modify',
  'modify validation pending': 'pending_modify',
  'modify after market order req received': 'pending_modify',
  modified: 'open',
  'not modified': 'open',
  'cancel pending': 'pending_cancel',
  'not cancelled': 'open',
  cancelled: 'cancelled',
  'cancelled after market order': 'cancelled',
  complete: 'filled',
  rejected: 'rejected',
}

/** The state for an Upstox status string, or undefined for a string Upstox has never been seen to send. */
export const mapUpstoxStatus = (brokerStatus: string): OrderStatus | undefined =>
  Object.hasOwn(UPSTOX_STATUS_MAP, brokerStatus) ? UPSTOX_STATUS_MAP[brokerStatus] : undefined

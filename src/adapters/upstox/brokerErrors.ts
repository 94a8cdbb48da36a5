// What can go wrong talking to Upstox, as values. None of these carries a token, a client secret or an auth code,
// and `describeBrokerError` prints only their fields, so an error can be logged or shown as it is.

export type BrokerError =
  /** No answer within the deadline: the request may or may not have been handled. */
  | { readonly _tag: 'BrokerTimeout'; readonly path: string; readonly timeoutMs: number }
  /** The connection failed or was dropped without a response: the request may or may not have been handled. */
  | { readonly _tag: 'BrokerConnectionLost'; readonly path: string; readonly code: string }
  /** 429 `UDAPI10005`: refused before handling. */
  | { readonly _tag: 'BrokerRateLimited'; readonly path: string }
  /** 401: the server refused the token (Upstox does not say whether it expired or was revoked). */
  | { readonly _tag: 'BrokerUnauthorized'; readonly path: string; readonly code: string }
  /** Our stored token is past its 03:30 IST expiry: detected before any request was made. */
  | { readonly _tag: 'TokenExpired'; readonly expiredAtMs: number }
  /** No token stored: `bahi login` first. */
  | { readonly _tag: 'TokenMissing' }
  /** A token is stored but cannot be used (unreadable, or not decryptable with the key at hand). */
  | { readonly _tag: 'TokenUnusable'; readonly reason: string }
  /** A 4xx with an Upstox error envelope: the request was understood and refused. */
  | {
      readonly _tag: 'BrokerRejected'
      readonly path: string
      readonly status: number
      readonly code: string
      readonly message: string
    }
  /** 5xx: the server failed; the request may or may not have been handled. */
  | { readonly _tag: 'BrokerUnavailable'; readonly path: string; readonly status: number }
  /** A response that does not match the documented shape. */
  | { readonly _tag: 'BrokerResponseInvalid'; readonly path: string; readonly paths: readonly string[] }
  /** An order status string we have never seen Upstox send. */
  | { readonly _tag: 'UnknownOrderStatus'; readonly orderId: string; readonly brokerStatus: string }
  /** Placement failed ambiguously and the lookup by tag could not settle whether the order exists. */
  | { readonly _tag: 'OrderStateUnknown'; readonly orderId: string; readonly cause: BrokerError }
  /** Not a request we can make (bad input from our side), e.g. a limit order without a price. */
  | { readonly _tag: 'BrokerRequestInvalid'; readonly reason: string }

/** May the request have been handled although we got no usable answer? Then only a lookup can tell. */
export const isAmbiguous = (e: BrokerError): boolean =>
  e._tag === 'BrokerTimeout' ||
  e._tag === 'BrokerConnectionLost' ||
  e._tag === 'BrokerUnavailable' ||
  e._tag === 'BrokerResponseInvalid'

export const describeBrokerError = (e: BrokerError): string => {
  switch (e._tag) {
    case 'BrokerTimeout':
      return `Upstox did not answer ${e.path} within ${e.timeoutMs} ms`
    case 'BrokerConnectionLost':
      return `the connection to Upstox failed on ${e.path} (${e.code})`
    case 'BrokerRateLimited':
      return `Upstox rate limit hit on ${e.path} (429 UDAPI10005)`
    case 'BrokerUnauthorized':
      return `Upstox refused the access token on ${e.path} (401 ${e.code}): run bahi login`
    case 'TokenExpired':
      return `the Upstox access token expired at ${new Date(e.expiredAtMs).toISOString()}: run bahi login`
    case 'TokenMissing':
      return 'no Upstox access token is stored: run bahi login'
    case 'TokenUnusable':
      return `the stored Upstox access token cannot be used: ${e.reason}`
    case 'BrokerRejected':
      return `Upstox refused ${e.path} (${e.status} ${e.code}): ${e.message}`
    case 'BrokerUnavailable':
      return `Upstox failed on ${e.path} (HTTP ${e.status})`
    case 'BrokerResponseInvalid':
      return `unexpected response from Upstox on ${e.path}: ${e.paths.slice(0, 5).join(', ')}`
    case 'UnknownOrderStatus':
      return `order ${e.orderId}: unknown Upstox status "${e.brokerStatus}"`
    case 'OrderStateUnknown':
      return `order ${e.orderId}: placement failed and its existence could not be checked (${describeBrokerError(e.cause)}); not retried`
    case 'BrokerRequestInvalid':
      return `invalid broker request: ${e.reason}`
    default: {
      const never: never = e
      return never
    }
  }
}

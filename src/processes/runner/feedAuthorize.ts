import * as E from 'fp-ts/lib/Either.js'
import { describeBrokerError, type UpstoxBroker } from '../../adapters/upstox/index.js'
import type { FeedError } from '../../adapters/upstoxFeed/index.js'

// The feed clients ask for a fresh single-use URL before every connect; the REST adapter answers. Its errors become
// the feed's: an expired or refused token is final (reconnecting with it cannot help), anything else is retried.

export const feedAuthorizer =
  (broker: UpstoxBroker, stream: 'market' | 'portfolio') => async (): Promise<E.Either<FeedError, string>> => {
    const r = await (stream === 'market' ? broker.rest.authorizeMarketFeed() : broker.rest.authorizePortfolioFeed())()
    if (E.isRight(r)) return E.right(r.right.authorized_redirect_uri)
    const reason = describeBrokerError(r.left)
    switch (r.left._tag) {
      case 'TokenExpired':
        return E.left({ _tag: 'FeedTokenExpired', reason })
      case 'TokenMissing':
      case 'TokenUnusable':
      case 'BrokerUnauthorized':
        return E.left({ _tag: 'FeedUnauthorized', reason })
      default:
        return E.left({ _tag: 'FeedAuthorizeFailed', reason })
    }
  }

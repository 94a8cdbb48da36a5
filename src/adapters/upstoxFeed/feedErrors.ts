// What can go wrong between the client and Upstox's streams, as values. `FeedTokenExpired` and `FeedUnauthorized`
// are final (the client stops with status `closed`: retrying with the same token cannot succeed); the others are
// transient and end in a reconnect with backoff.

export type FeedError =
  | { readonly _tag: 'FeedTokenExpired'; readonly reason: string }
  | { readonly _tag: 'FeedUnauthorized'; readonly reason: string }
  | { readonly _tag: 'FeedAuthorizeFailed'; readonly reason: string }
  | { readonly _tag: 'FeedProtoUnloadable'; readonly path: string; readonly reason: string }

/** Errors after which retrying cannot help: the client reports them and stops. */
export const isFinalFeedError = (e: FeedError): boolean =>
  e._tag === 'FeedTokenExpired' || e._tag === 'FeedUnauthorized' || e._tag === 'FeedProtoUnloadable'

export const describeFeedError = (e: FeedError): string => {
  switch (e._tag) {
    case 'FeedTokenExpired':
      return `access token expired: ${e.reason}`
    case 'FeedUnauthorized':
      return `unauthorized: ${e.reason}`
    case 'FeedAuthorizeFailed':
      return `feed authorize failed: ${e.reason}`
    case 'FeedProtoUnloadable':
      return `cannot load the feed proto ${e.path}: ${e.reason}`
    default: {
      const never: never = e
      return never
    }
  }
}

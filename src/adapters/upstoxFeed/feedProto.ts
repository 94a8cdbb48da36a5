import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import protobuf from 'protobufjs'
import type { FeedError } from './feedErrors.js'

// The V3 wire format comes from the official SDK's `MarketDataFeedV3.proto`, read at runtime from the installed
// package (never copied), so a new SDK release with new fields is picked up without a code change.

export const MARKET_FEED_RESPONSE_TYPE = 'com.upstox.marketdatafeederv3udapi.rpc.proto.FeedResponse'

/** Where the installed `upstox-js-sdk` keeps the market-data proto. */
export const marketFeedProtoPath = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('upstox-js-sdk')), 'feeder', 'proto', 'MarketDataFeedV3.proto')

export const loadMarketFeedProto = async (
  path: string = marketFeedProtoPath(),
): Promise<E.Either<FeedError, protobuf.Type>> => {
  try {
    const root = await protobuf.load(path)
    return E.right(root.lookupType(MARKET_FEED_RESPONSE_TYPE))
  } catch (e) {
    return E.left({ _tag: 'FeedProtoUnloadable', path, reason: e instanceof Error ? e.message : String(e) })
  }
}

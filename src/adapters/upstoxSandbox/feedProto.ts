import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import protobuf from 'protobufjs'

// The V3 market-data wire format, read at runtime from the official SDK's own `MarketDataFeedV3.proto` (never
// copied), so the sandbox encodes exactly what the SDK and our client decode.

export const FEED_RESPONSE_TYPE = 'com.upstox.marketdatafeederv3udapi.rpc.proto.FeedResponse'

/** Where the installed `upstox-js-sdk` keeps its proto. */
export const sdkProtoPath = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('upstox-js-sdk')), 'feeder', 'proto', 'MarketDataFeedV3.proto')

export type FeedProtoError = { readonly _tag: 'FeedProtoUnloadable'; readonly path: string; readonly reason: string }

export const loadFeedResponseType = async (
  path: string = sdkProtoPath(),
): Promise<E.Either<FeedProtoError, protobuf.Type>> => {
  try {
    const root = await protobuf.load(path)
    return E.right(root.lookupType(FEED_RESPONSE_TYPE))
  } catch (e) {
    return E.left({ _tag: 'FeedProtoUnloadable', path, reason: e instanceof Error ? e.message : String(e) })
  }
}

/** Encodes a plain object (enum values by name, int64 as numbers) as a `FeedResponse` frame. */
export const encodeFeedResponse = (type: protobuf.Type, obj: Record<string, unknown>): Uint8Array =>
  type.encode(type.fromObject(obj)).finish()

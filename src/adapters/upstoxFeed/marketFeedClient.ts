import { randomUUID } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type protobuf from 'protobufjs'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { createFeedDecoder, type FeedDecodeError, type FeedFrameKind, type TickPayload } from './feedDecoder.js'
import { FEED_MODE_LIMITS, type FeedMode, feedRequestFrames } from './feedRequests.js'
import { createFeedSocket, type FeedConnectionOptions, type FeedSocketCounters, feedConnection } from './feedSocket.js'

// The Upstox V3 market-data client: our own `ws` + protobufjs client over the authorized URL (not the SDK's
// streamer; see UPSTOX.md for its faults). It keeps a registry of subscriptions (key -> mode), sends them after
// every (re)connect, decodes every frame to `TickReceived` payloads and counts what it saw. A frame that does not
// decode is counted and skipped; the connection stays up.

export interface FeedFrameInfo {
  readonly kind: Exclude<FeedFrameKind, 'market_info'>
  /** Server send time, epoch ms. The ticks carry their own exchange time (`lttMs`). */
  readonly currentTs: number
}

export interface MarketFeedClientOptions extends FeedConnectionOptions {
  /** `FeedResponse` from the SDK's proto (`loadMarketFeedProto`). `authorize` asks
   * `GET /v3/feed/market-data-feed/authorize`; `feed` defaults to `upstox-market`. */
  readonly feedType: protobuf.Type
  readonly guid?: () => string
  /**
   * Ticks of one frame. `initial_feed` frames are the snapshot sent after every (re)subscription: their ticks may
   * repeat the last trade already seen, so a consumer that counts trades deduplicates them (same `lttMs`).
   */
  readonly onTicks?: (ticks: readonly TickPayload[], frame: FeedFrameInfo) => void
  /** `market_info` frames: segment -> status (`NORMAL_OPEN`, `NORMAL_CLOSE`, ...). */
  readonly onMarketInfo?: (segmentStatus: Readonly<Record<string, string>>) => void
}

export interface MarketFeedCounters extends FeedSocketCounters {
  /** Binary frames received. */
  readonly frames: number
  /** Ticks delivered. */
  readonly ticks: number
  /** Frames that failed to decode (skipped). */
  readonly malformed: number
  /** Feeds inside valid frames that carried no usable tick. */
  readonly skippedFeeds: number
}

export type FeedSubscribeError = {
  readonly _tag: 'FeedSubscriptionLimit'
  readonly mode: FeedMode
  readonly limit: number
  readonly requested: number
}

export const createMarketFeedClient = (o: MarketFeedClientOptions) => {
  const connection = feedConnection(o, { feed: 'upstox-market', silenceMs: 15_000, pingMs: 5_000 })
  const feed = connection.feed
  const decoder = createFeedDecoder(o.feedType)
  const guid = o.guid ?? randomUUID
  const registry = new Map<InstrumentKey, FeedMode>()
  let frames = 0
  let ticks = 0
  let malformed = 0
  let skippedFeeds = 0
  let lastMalformed: FeedDecodeError | undefined

  const byMode = (keys: Iterable<InstrumentKey>): Map<FeedMode, InstrumentKey[]> => {
    const out = new Map<FeedMode, InstrumentKey[]>()
    for (const k of keys) {
      const mode = registry.get(k)
      if (mode === undefined) continue
      const list = out.get(mode)
      if (list === undefined) out.set(mode, [k])
      else list.push(k)
    }
    return out
  }

  const onMessage = (data: Buffer, isBinary: boolean): void => {
    frames++
    if (!isBinary) {
      malformed++
      o.log.warn({ feed, bytes: data.length, malformed }, 'feed sent a text frame; skipped')
      return
    }
    const r = decoder.decode(data)
    if (E.isLeft(r)) {
      malformed++
      lastMalformed = r.left
      o.log.warn({ feed, bytes: r.left.bytes, reason: r.left.reason, malformed }, 'malformed feed frame skipped')
      return
    }
    const f = r.right
    skippedFeeds += f.skipped
    if (f.kind === 'market_info') {
      if (f.segmentStatus !== undefined) o.onMarketInfo?.(f.segmentStatus)
      return
    }
    if (f.ticks.length === 0) return
    ticks += f.ticks.length
    o.onTicks?.(f.ticks, { kind: f.kind, currentTs: f.currentTs })
  }

  const socket = createFeedSocket({
    ...connection,
    onOpen: (send) => {
      // A new socket starts with no subscriptions: replay the whole registry, one `sub` per mode.
      for (const [mode, keys] of byMode(registry.keys()))
        for (const f of feedRequestFrames(guid, 'sub', keys, mode)) send(f)
    },
    onMessage,
    onStatus: (s) => o.onStatus?.(s),
  })

  const sendAll = (frames: readonly Buffer[]): void => {
    // Not connected: the registry already holds the change, and the next open sends it.
    for (const f of frames) socket.send(f)
  }

  const withinLimits = (keys: readonly InstrumentKey[], mode: FeedMode): E.Either<FeedSubscribeError, void> => {
    let n = 0
    for (const m of registry.values()) if (m === mode) n++
    for (const k of keys) if (registry.get(k) !== mode) n++
    const limit = FEED_MODE_LIMITS[mode]
    return n > limit ? E.left({ _tag: 'FeedSubscriptionLimit', mode, limit, requested: n }) : E.right(undefined)
  }

  return {
    /** Connects (once); the client then keeps itself connected until `close()` or a final error. */
    start: socket.start,
    subscribe: (keys: readonly InstrumentKey[], mode: FeedMode): E.Either<FeedSubscribeError, void> => {
      const ok = withinLimits(keys, mode)
      if (E.isLeft(ok)) return ok
      for (const k of keys) registry.set(k, mode)
      sendAll(feedRequestFrames(guid, 'sub', keys, mode))
      return ok
    },
    unsubscribe: (keys: readonly InstrumentKey[]): void => {
      const known = keys.filter((k) => registry.delete(k))
      if (known.length > 0) sendAll(feedRequestFrames(guid, 'unsub', known))
    },
    /** Switches subscribed keys to another mode (keys not subscribed are ignored, as Upstox does). */
    changeMode: (keys: readonly InstrumentKey[], mode: FeedMode): E.Either<FeedSubscribeError, void> => {
      const subscribed = keys.filter((k) => registry.has(k))
      const ok = withinLimits(subscribed, mode)
      if (E.isLeft(ok)) return ok
      for (const k of subscribed) registry.set(k, mode)
      if (subscribed.length > 0) sendAll(feedRequestFrames(guid, 'change_mode', subscribed, mode))
      return ok
    },
    subscriptions: (): ReadonlyMap<InstrumentKey, FeedMode> => registry,
    status: socket.status,
    /** The last authorize/connect error; after a stop with status `closed`, the reason it stopped. */
    lastError: socket.lastError,
    lastMalformed: (): FeedDecodeError | undefined => lastMalformed,
    counters: (): MarketFeedCounters => ({ ...socket.counters(), frames, ticks, malformed, skippedFeeds }),
    close: socket.close,
  }
}

export type MarketFeedClient = ReturnType<typeof createMarketFeedClient>

import * as E from 'fp-ts/lib/Either.js'
import type protobuf from 'protobufjs'
import type { TickReceived } from '../../domain/events/index.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { Paise, PricePaise } from '../../domain/money/index.js'

// FeedResponse bytes -> TickReceived payloads. protobufjs `Type.decode` checks the wire format against the SDK's
// schema; the fields are then read straight off the decoded message (no `toObject`, which builds a second copy of
// every nested record). Each read is still checked (`typeof`, the id and price brands), so nothing unvalidated
// reaches a payload, and no cast is needed. int64 fields arrive as `Long` (or a plain number for a default 0).
// Prices are INR doubles on the wire and integer paise here. The exchange's last-trade time (`ltt`, epoch ms) is
// the tick's time; `currentTs` is only the server's send time.

export type TickPayload = TickReceived['payload']
export type FeedFrameKind = 'initial_feed' | 'live_feed' | 'market_info'

export interface DecodedFeedFrame {
  readonly kind: FeedFrameKind
  /** Server send time (epoch ms); 0 when absent. */
  readonly currentTs: number
  readonly ticks: TickPayload[]
  /** Feeds in the frame that carried no usable tick (no trade yet, ltp 0, an invalid key). */
  readonly skipped: number
  /** `market_info` only: segment -> market status name (`NORMAL_OPEN`, ...). */
  readonly segmentStatus: Readonly<Record<string, string>> | undefined
}

export type FeedDecodeError = {
  readonly _tag: 'FeedFrameMalformed'
  readonly bytes: number
  readonly reason: string
}

type Obj = { readonly [k: string]: unknown }
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null

/** int64 as a number: a plain number, or a protobufjs `Long` (`high` is signed, `low` read unsigned). */
const int64 = (v: unknown): number => {
  if (typeof v === 'number') return v
  if (isObj(v) && typeof v.low === 'number' && typeof v.high === 'number') return v.high * 4294967296 + (v.low >>> 0)
  return Number.NaN
}
const dbl = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN)
const nonNegInt = (n: number): number | undefined => (Number.isSafeInteger(n) && n >= 0 ? n : undefined)

const KINDS: readonly FeedFrameKind[] = ['initial_feed', 'live_feed', 'market_info']
const KEY_CACHE_LIMIT = 20_000

export const createFeedDecoder = (feedResponse: protobuf.Type) => {
  // Instrument keys repeat in every frame: check each once.
  const keys = new Map<string, InstrumentKey | null>()
  const keyOf = (k: string): InstrumentKey | undefined => {
    const hit = keys.get(k)
    if (hit !== undefined) return hit ?? undefined
    if (keys.size >= KEY_CACHE_LIMIT) keys.clear()
    const ok = InstrumentKey.is(k) ? k : null
    keys.set(k, ok)
    return ok ?? undefined
  }
  const marketStatus = feedResponse.root.lookupEnum('com.upstox.marketdatafeederv3udapi.rpc.proto.MarketStatus')

  /** The tick of one `LTPC`, or undefined when it carries no valid trade (ltp or ltt 0 before the first trade). */
  const ltpcTick = (key: InstrumentKey, ltpc: unknown): TickPayload | undefined => {
    if (!isObj(ltpc)) return undefined
    const ltpPaise = Math.round(dbl(ltpc.ltp) * 100)
    const lttMs = nonNegInt(int64(ltpc.ltt))
    const ltq = nonNegInt(int64(ltpc.ltq))
    if (!PricePaise.is(ltpPaise) || lttMs === undefined || lttMs === 0 || ltq === undefined) return undefined
    return { instrumentKey: key, ltpPaise, lttMs, ltq }
  }

  /** Full mode adds cumulative volume, OI and the best bid/ask (first depth level). */
  const fullTick = (key: InstrumentKey, ltpc: unknown, vtt: unknown, oi: unknown, best: unknown) => {
    const t = ltpcTick(key, ltpc)
    if (t === undefined) return undefined
    const volume = nonNegInt(int64(vtt))
    const openInterest = nonNegInt(Math.round(dbl(oi)))
    const out: { -readonly [K in keyof TickPayload]: TickPayload[K] } = t
    if (volume !== undefined) out.volume = volume
    if (openInterest !== undefined) out.oi = openInterest
    if (isObj(best)) {
      const bidPaise = Math.round(dbl(best.bidP) * 100)
      const askPaise = Math.round(dbl(best.askP) * 100)
      const bidQty = nonNegInt(int64(best.bidQ))
      const askQty = nonNegInt(int64(best.askQ))
      // A side with no quote comes as price 0: leave it out rather than report a bid of zero.
      if (bidPaise > 0 && Paise.is(bidPaise) && bidQty !== undefined) {
        out.bidPaise = bidPaise
        out.bidQty = bidQty
      }
      if (askPaise > 0 && Paise.is(askPaise) && askQty !== undefined) {
        out.askPaise = askPaise
        out.askQty = askQty
      }
    }
    return out
  }

  const tickOf = (key: InstrumentKey, feed: unknown): TickPayload | undefined => {
    if (!isObj(feed)) return undefined
    if (isObj(feed.ltpc)) return ltpcTick(key, feed.ltpc)
    const full = feed.fullFeed
    if (isObj(full)) {
      const m = full.marketFF
      if (isObj(m)) {
        const levels = isObj(m.marketLevel) ? m.marketLevel.bidAskQuote : undefined
        return fullTick(key, m.ltpc, m.vtt, m.oi, Array.isArray(levels) ? levels[0] : undefined)
      }
      // Indices have no trades, depth or volume: their full feed carries the ltpc (and OHLC) only.
      const i = full.indexFF
      return isObj(i) ? ltpcTick(key, i.ltpc) : undefined
    }
    const g = feed.firstLevelWithGreeks
    return isObj(g) ? fullTick(key, g.ltpc, g.vtt, g.oi, g.firstDepth) : undefined
  }

  const segmentStatusOf = (info: unknown): Record<string, string> => {
    const out: Record<string, string> = {}
    const seg = isObj(info) ? info.segmentStatus : undefined
    if (isObj(seg))
      for (const [k, v] of Object.entries(seg))
        out[k] = typeof v === 'number' ? (marketStatus.valuesById[v] ?? `${v}`) : `${v}`
    return out
  }

  const decode = (bytes: Uint8Array): E.Either<FeedDecodeError, DecodedFeedFrame> => {
    let msg: Obj
    try {
      msg = feedResponse.decode(bytes)
    } catch (e) {
      return E.left({
        _tag: 'FeedFrameMalformed',
        bytes: bytes.length,
        reason: e instanceof Error ? e.message : String(e),
      })
    }
    const typeNo = typeof msg.type === 'number' ? msg.type : 0
    const kind = KINDS[typeNo]
    if (kind === undefined)
      return E.left({ _tag: 'FeedFrameMalformed', bytes: bytes.length, reason: `unknown FeedResponse type ${typeNo}` })
    const ticks: TickPayload[] = []
    let skipped = 0
    const feeds = msg.feeds
    if (isObj(feeds))
      for (const k in feeds) {
        const key = keyOf(k)
        const t = key === undefined ? undefined : tickOf(key, feeds[k])
        if (t === undefined) skipped++
        else ticks.push(t)
      }
    const ts = nonNegInt(int64(msg.currentTs)) ?? 0
    return E.right({
      kind,
      currentTs: ts,
      ticks,
      skipped,
      segmentStatus: kind === 'market_info' ? segmentStatusOf(msg.marketInfo) : undefined,
    })
  }

  return { decode }
}

export type FeedDecoder = ReturnType<typeof createFeedDecoder>

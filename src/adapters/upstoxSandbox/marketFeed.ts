import type { Logger } from 'pino'
import type protobuf from 'protobufjs'
import type { WebSocket } from 'ws'
import { istDateOf, istMidnight } from '../../domain/time/index.js'
import type { Faults } from './faults.js'
import { createFeedConnections } from './feedConnections.js'
import { encodeFeedResponse } from './feedProto.js'
import type { InstrumentQuote, MarketReplay, MarketTick } from './marketReplay.js'

// The V3 market-data stream. Clients send binary (or text) frames holding JSON
// `{"guid","method":"sub"|"unsub"|"change_mode","data":{"mode","instrumentKeys":[...]}}`; the sandbox answers with
// protobuf `FeedResponse` frames: `market_info` on connect, an `initial_feed` snapshot for every (re)subscription
// or mode change, then a `live_feed` per market step carrying the subscribed instruments that ticked.

export type FeedMode = 'ltpc' | 'full' | 'option_greeks' | 'full_d30'
const MODES: readonly string[] = ['ltpc', 'full', 'option_greeks', 'full_d30']

interface Subscriptions {
  readonly modes: Map<string, FeedMode>
}

const inr = (paise: number) => paise / 100
const TICK_INR = 0.05

const ltpcOf = (q: InstrumentQuote) => ({ ltp: inr(q.ltpPaise), ltt: q.lttMs, ltq: q.ltq, cp: inr(q.cpPaise) })

/** A synthetic order book around the last price: bids from the LTP down, asks from one tick up. */
const depth = (q: InstrumentQuote, levels: number) => {
  const base = Math.max(1, Math.round(q.instrument.avgMinuteVolume / 40))
  const out = []
  for (let i = 0; i < levels; i++) {
    const wobble = (q.vtt + i * 7) % 13
    out.push({
      bidQ: base * (i + 1) + wobble,
      bidP: Math.max(TICK_INR, Math.round((inr(q.ltpPaise) - i * TICK_INR) * 100) / 100),
      askQ: base * (i + 1) + ((wobble + 5) % 13),
      askP: Math.round((inr(q.ltpPaise) + (i + 1) * TICK_INR) * 100) / 100,
    })
  }
  return out
}

const ohlcOf = (q: InstrumentQuote) => {
  const out: Record<string, unknown>[] = []
  const dayStart = istMidnight(istDateOf(q.lttMs)) ?? 0
  if (q.day !== undefined)
    out.push({
      interval: '1d',
      open: inr(q.day.open),
      high: inr(q.day.high),
      low: inr(q.day.low),
      close: inr(q.day.close),
      vol: q.day.volume,
      ts: dayStart,
    })
  for (const c of [q.lastMinute, q.minute]) {
    if (c === undefined || (c === q.lastMinute && q.minute !== undefined && q.minute.openMs === c.openMs)) continue
    out.push({
      interval: 'I1',
      open: inr(c.open),
      high: inr(c.high),
      low: inr(c.low),
      close: inr(c.close),
      vol: c.volume,
      ts: c.openMs,
    })
  }
  return out
}

const feedOf = (q: InstrumentQuote, mode: FeedMode): Record<string, unknown> => {
  if (mode === 'ltpc') return { ltpc: ltpcOf(q), requestMode: 'ltpc' }
  const levels = depth(q, mode === 'full_d30' ? 30 : 5)
  if (mode === 'option_greeks')
    return {
      firstLevelWithGreeks: { ltpc: ltpcOf(q), firstDepth: levels[0], optionGreeks: {}, vtt: q.vtt, oi: 0, iv: 0 },
      requestMode: 'option_greeks',
    }
  let tbq = 0
  let tsq = 0
  for (const l of levels) {
    tbq += l.bidQ
    tsq += l.askQ
  }
  return {
    fullFeed: {
      marketFF: {
        ltpc: ltpcOf(q),
        marketLevel: { bidAskQuote: levels },
        marketOHLC: { ohlc: ohlcOf(q) },
        atp: q.vtt === 0 ? 0 : Math.round(q.turnoverPaise / q.vtt) / 100,
        vtt: q.vtt,
        oi: 0,
        tbq: tbq * 10,
        tsq: tsq * 10,
      },
    },
    requestMode: mode === 'full_d30' ? 'full_d30' : 'full_d5',
  }
}

interface FeedRequest {
  readonly method: 'sub' | 'unsub' | 'change_mode'
  readonly mode: FeedMode | undefined
  readonly keys: readonly string[]
}

/** Decodes one client request; undefined for anything malformed (the sandbox ignores it, as Upstox does). */
export const decodeFeedRequest = (raw: string): FeedRequest | undefined => {
  let u: unknown
  try {
    u = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (typeof u !== 'object' || u === null) return undefined
  const { method, data } = u as { method?: unknown; data?: unknown }
  if (method !== 'sub' && method !== 'unsub' && method !== 'change_mode') return undefined
  if (typeof data !== 'object' || data === null) return undefined
  const { mode, instrumentKeys } = data as { mode?: unknown; instrumentKeys?: unknown }
  if (!Array.isArray(instrumentKeys) || !instrumentKeys.every((k) => typeof k === 'string')) return undefined
  if (mode !== undefined && (typeof mode !== 'string' || !MODES.includes(mode))) return undefined
  if (method !== 'unsub' && mode === undefined) return undefined
  return { method, mode: mode as FeedMode | undefined, keys: instrumentKeys as string[] }
}

export const createMarketFeed = (o: {
  readonly market: MarketReplay
  readonly feedType: protobuf.Type
  readonly faults: Faults
  readonly log: Logger
  readonly heartbeatMs: number
  readonly nowMs: () => number
}) => {
  const conns = createFeedConnections<Subscriptions>(o)
  const encode = (obj: Record<string, unknown>) => encodeFeedResponse(o.feedType, obj)

  const marketInfo = () =>
    encode({
      type: 'market_info',
      currentTs: o.nowMs(),
      marketInfo: {
        segmentStatus: {
          NSE_EQ: o.market.isOpen() ? 'NORMAL_OPEN' : 'NORMAL_CLOSE',
          NSE_INDEX: o.market.isOpen() ? 'NORMAL_OPEN' : 'NORMAL_CLOSE',
          NSE_FO: o.market.isOpen() ? 'NORMAL_OPEN' : 'NORMAL_CLOSE',
          BSE_EQ: o.market.isOpen() ? 'NORMAL_OPEN' : 'NORMAL_CLOSE',
        },
      },
    })

  const snapshot = (keys: readonly string[], modes: ReadonlyMap<string, FeedMode>) => {
    const feeds: Record<string, unknown> = {}
    for (const k of keys) {
      const q = o.market.quote(k)
      const mode = modes.get(k)
      if (q !== undefined && mode !== undefined) feeds[k] = feedOf(q, mode)
    }
    return feeds
  }

  const onMessage = (c: { state: Subscriptions }, send: (b: Uint8Array) => void, raw: string) => {
    const req = decodeFeedRequest(raw)
    if (req === undefined) {
      o.log.debug('ignored a malformed feed request')
      return
    }
    const known = req.keys.filter((k) => o.market.quote(k) !== undefined)
    if (req.method === 'unsub') {
      for (const k of req.keys) c.state.modes.delete(k)
      return
    }
    const mode = req.mode ?? 'ltpc'
    const changed = req.method === 'sub' ? known : known.filter((k) => c.state.modes.has(k))
    for (const k of changed) c.state.modes.set(k, mode)
    if (changed.length > 0)
      send(encode({ type: 'initial_feed', currentTs: o.nowMs(), feeds: snapshot(changed, c.state.modes) }))
  }

  const accept = (ws: WebSocket, userId: string, authorized: () => boolean) => {
    const c = conns.add(ws, userId, { modes: new Map() }, authorized)
    conns.send(c, marketInfo())
    ws.on('message', (data) => {
      // Upstox expects binary frames; text frames holding the same JSON are accepted too.
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8')
      onMessage(c, (b) => conns.send(c, b), text)
    })
  }

  const onTicks = (ticks: readonly MarketTick[]) => {
    if (conns.count() === 0 || ticks.length === 0) return
    const ts = o.nowMs()
    for (const c of conns.all()) {
      const keys: string[] = []
      for (const t of ticks) if (c.state.modes.has(t.instrumentKey)) keys.push(t.instrumentKey)
      if (keys.length > 0)
        conns.send(c, encode({ type: 'live_feed', currentTs: ts, feeds: snapshot(keys, c.state.modes) }))
    }
  }
  const unsubscribe = o.market.onTicks(onTicks)

  return {
    accept,
    closeAll: conns.closeAll,
    closeExpired: conns.closeExpired,
    count: conns.count,
    stop: () => {
      unsubscribe()
      conns.stop()
    },
  }
}

export type MarketFeed = ReturnType<typeof createMarketFeed>

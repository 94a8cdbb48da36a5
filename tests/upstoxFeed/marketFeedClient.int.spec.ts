import * as E from 'fp-ts/lib/Either.js'
import type protobuf from 'protobufjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createSeededRandom } from '../../src/adapters/synthetic/index.js'
import {
  createMarketFeedClient,
  type FeedMode,
  loadMarketFeedProto,
  type MarketFeedClient,
} from '../../src/adapters/upstoxFeed/index.js'
import type { MarketTick } from '../../src/adapters/upstoxSandbox/index.js'
import { type InstrumentKey, unsafe } from '../../src/domain/ids/index.js'
import { type Harness, RELIANCE, startHarness, TCS } from '../sandbox/sandboxHarness.js'
import { quietLog, recorder, sandboxAuthorize, startCountingProxy, waitFor } from './feedClientHarness.js'

// The market feed client against the local Upstox exchange over real WebSocket on loopback, through a TCP proxy
// that counts the client's sockets. Every fault is injected on the sandbox; the client must heal on its own.

const REL = unsafe.instrumentKey(RELIANCE)
const TC = unsafe.instrumentKey(TCS)
const FAST_BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 }

describe('market feed client against the sandbox', () => {
  let h: Harness
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>
  let feedType: protobuf.Type
  let client: MarketFeedClient | undefined
  let rec: ReturnType<typeof recorder>

  beforeEach(async () => {
    h = await startHarness()
    proxy = await startCountingProxy(Number(new URL(h.sandbox.baseUrl).port))
    const t = await loadMarketFeedProto()
    if (E.isLeft(t)) throw new Error(t.left._tag)
    feedType = t.right
    rec = recorder()
  })
  afterEach(async () => {
    await client?.close()
    client = undefined
    await proxy.close()
    await h.sandbox.close()
  })

  const start = (o: { silenceMs?: number; token?: () => string } = {}): MarketFeedClient => {
    const c = createMarketFeedClient({
      authorize: sandboxAuthorize(h.sandbox.baseUrl, o.token ?? (() => h.token), undefined, proxy.rewrite),
      feedType,
      log: quietLog(),
      backoff: FAST_BACKOFF,
      random: createSeededRandom(7).next,
      ...(o.silenceMs === undefined ? {} : { silenceMs: o.silenceMs, pingMs: Math.floor(o.silenceMs / 4) }),
      onStatus: rec.onStatus,
      onTicks: rec.onTicks,
    })
    client = c
    c.start()
    return c
  }
  const connected = (c: MarketFeedClient) => waitFor(() => c.status() === 'connected', 'connected')
  const ticksOf = (key: string, kind = 'live_feed') =>
    rec.ticks.filter((t) => t.tick.instrumentKey === key && t.kind === kind).map((t) => t.tick)
  const subscribed = async (c: MarketFeedClient, keys: readonly InstrumentKey[], mode: FeedMode) => {
    const before = rec.ticks.length
    expect(E.isRight(c.subscribe(keys, mode))).toBe(true)
    await waitFor(() => rec.ticks.length >= before + keys.length, 'the initial_feed snapshot')
  }
  /** Steps the market once and waits until the client has the step's ticks for `keys`. */
  const step = async (keys: readonly string[]): Promise<MarketTick[]> => {
    const ticks = h.sandbox.market.step(1).filter((t) => keys.includes(t.instrumentKey))
    const want = new Map(ticks.map((t) => [t.instrumentKey, t.tsMs]))
    await waitFor(
      () => [...want].every(([k, ts]) => ticksOf(k).some((t) => t.lttMs === ts)),
      `live ticks of ${[...want.keys()].join(',')}`,
    )
    return ticks
  }

  it('decodes ltpc ticks equal to the market: snapshot first, then every trade with its exchange time', async () => {
    const c = start()
    await connected(c)
    await subscribed(c, [REL, TC], 'ltpc')
    const q = h.sandbox.market.quote(RELIANCE)!
    expect(ticksOf(RELIANCE, 'initial_feed')).toEqual([
      { instrumentKey: RELIANCE, ltpPaise: q.ltpPaise, lttMs: q.lttMs, ltq: q.ltq },
    ])
    const market: MarketTick[] = []
    for (let i = 0; i < 6; i++) market.push(...(await step([RELIANCE, TCS])))
    for (const key of [RELIANCE, TCS])
      expect(ticksOf(key)).toEqual(
        market
          .filter((t) => t.instrumentKey === key)
          .map((t) => ({ instrumentKey: key, ltpPaise: t.pricePaise, lttMs: t.tsMs, ltq: t.qty })),
      )
    expect(c.counters()).toMatchObject({ malformed: 0, connections: 1, reconnects: 0, ticks: rec.ticks.length })
    expect(c.counters().frames).toBeGreaterThanOrEqual(8) // market_info, initial_feed, 6 live_feed
    await c.close()
    expect(c.status()).toBe('closed')
    expect(rec.statuses.at(-1)).toEqual({ feed: 'upstox-market', status: 'closed', reason: 'closed by the client' })
    await waitFor(() => proxy.open() === 0, 'the socket closed')
    h.sandbox.market.step(1)
    expect(proxy.total()).toBe(1)
  })

  it('decodes full mode: cumulative volume and the best bid/ask of the first depth level', async () => {
    const c = start()
    await connected(c)
    await subscribed(c, [REL], 'full')
    let last: MarketTick | undefined
    for (let i = 0; i < 5; i++) last = (await step([RELIANCE]))[0]
    const q = h.sandbox.market.quote(RELIANCE)!
    // The sandbox's synthetic book: bids from the LTP down, asks from one tick (5 paise) up.
    const base = Math.max(1, Math.round(q.instrument.avgMinuteVolume / 40))
    const wobble = q.vtt % 13
    expect(ticksOf(RELIANCE).at(-1)).toEqual({
      instrumentKey: RELIANCE,
      ltpPaise: last!.pricePaise,
      lttMs: last!.tsMs,
      ltq: last!.qty,
      volume: q.vtt,
      oi: 0,
      bidPaise: last!.pricePaise,
      bidQty: base + wobble,
      askPaise: last!.pricePaise + 5,
      askQty: base + ((wobble + 5) % 13),
    })
  })

  it('stops ticks for an unsubscribed key and switches fields on a mode change', async () => {
    const c = start()
    await connected(c)
    await subscribed(c, [REL, TC], 'ltpc')
    await step([RELIANCE, TCS])
    c.unsubscribe([TC])
    expect([...c.subscriptions().keys()]).toEqual([RELIANCE])
    expect(E.isRight(c.changeMode([REL], 'full'))).toBe(true)
    // The change_mode answer (a full snapshot) shows the server has handled the unsub sent before it.
    await waitFor(() => ticksOf(RELIANCE, 'initial_feed').some((t) => t.volume !== undefined), 'full snapshot')
    const tcsBefore = ticksOf(TCS).length
    await step([RELIANCE])
    await step([RELIANCE])
    expect(ticksOf(TCS)).toHaveLength(tcsBefore)
    const rel = ticksOf(RELIANCE)
    expect(rel.at(-3)?.volume).toBeUndefined()
    expect(rel.at(-1)?.volume).toBe(h.sandbox.market.quote(RELIANCE)!.vtt)
    expect(rel.at(-1)?.bidPaise).toBeDefined()
  })

  it.each([1000, 1006] as const)(
    'reconnects after a server close %i and resubscribes the same keys and modes, one socket at a time',
    async (code) => {
      const c = start()
      await connected(c)
      await subscribed(c, [REL], 'ltpc')
      await subscribed(c, [TC], 'full')
      for (let round = 1; round <= 2; round++) {
        expect(h.sandbox.closeFeeds(code)).toBe(1)
        await waitFor(() => c.counters().reconnects === round && c.status() === 'connected', `reconnect ${round}`)
        await waitFor(() => ticksOf(RELIANCE, 'initial_feed').length === round + 1, 'RELIANCE resubscribed')
        await waitFor(() => ticksOf(TCS, 'initial_feed').length === round + 1, 'TCS resubscribed')
        const rel = (await step([RELIANCE, TCS])).find((t) => t.instrumentKey === RELIANCE)!
        // Same keys in the same modes as before the drop: TCS full (with volume), RELIANCE ltpc.
        expect(ticksOf(TCS).at(-1)?.volume).toBe(h.sandbox.market.quote(TCS)!.vtt)
        expect(ticksOf(RELIANCE).at(-1)).toEqual({
          instrumentKey: RELIANCE,
          ltpPaise: rel.pricePaise,
          lttMs: rel.tsMs,
          ltq: rel.qty,
        })
      }
      expect(rec.sequence()).toEqual([
        'connecting',
        'connected',
        'reconnecting',
        'connected',
        'reconnecting',
        'connected',
      ])
      expect(rec.statuses[2]?.reason).toContain(String(code))
      expect(proxy.maxOpen()).toBe(1)
      expect(proxy.total()).toBe(3)
      expect(h.sandbox.openSockets().market).toBe(1)
    },
  )

  it('detects a silent socket (no frames, no pongs), replaces it and resumes ticks', async () => {
    const c = createMarketFeedClient({
      authorize: sandboxAuthorize(h.sandbox.baseUrl, () => h.token, undefined, proxy.rewrite),
      feedType,
      log: quietLog(),
      backoff: FAST_BACKOFF,
      random: createSeededRandom(3).next,
      silenceMs: 1500,
      pingMs: 300,
      onTicks: rec.onTicks,
      onStatus: (s) => {
        rec.onStatus(s)
        // Lift the fault the moment it is seen, so the replacement socket is healthy.
        if (s.status === 'silent') h.sandbox.faults.state.feedSilent = false
      },
    })
    client = c
    c.start()
    await connected(c)
    await subscribed(c, [REL], 'ltpc')
    h.sandbox.faults.state.feedSilent = true
    h.sandbox.market.step(1)
    await waitFor(() => c.counters().reconnects === 1 && c.status() === 'connected', 'replaced the silent socket')
    await waitFor(() => ticksOf(RELIANCE, 'initial_feed').length === 2, 'resubscribed')
    await step([RELIANCE])
    expect(rec.sequence()).toEqual(['connecting', 'connected', 'silent', 'reconnecting', 'connected'])
    expect(rec.statuses[2]?.reason).toMatch(/no frame, ping or pong for 1500 ms/)
    expect(proxy.maxOpen()).toBe(1)
  })

  it('counts malformed frames, skips them and keeps the connection', async () => {
    const c = start()
    await connected(c)
    await subscribed(c, [REL], 'ltpc')
    h.sandbox.faults.state.malformedFrames = 2
    h.sandbox.market.step(2)
    const [third] = await step([RELIANCE])
    await waitFor(() => c.counters().malformed === 2, 'two malformed frames counted')
    expect(ticksOf(RELIANCE).map((t) => t.lttMs)).toEqual([third!.tsMs])
    expect(c.lastMalformed()?._tag).toBe('FeedFrameMalformed')
    expect(c.counters()).toMatchObject({ malformed: 2, connections: 1, reconnects: 0 })
    expect(c.status()).toBe('connected')
    expect(proxy.total()).toBe(1)
  })

  it('reports an expired token after the 03:30 IST expiry and stops cleanly without retrying', async () => {
    const c = start()
    await connected(c)
    await subscribed(c, [REL], 'ltpc')
    // WALL_START is 2026-01-05 10:00 IST: the token expires at 03:30 IST on the 6th (22:00 UTC on the 5th).
    h.clock.nowMs = Date.UTC(2026, 0, 5, 22, 0) + 1
    expect(h.sandbox.closeFeeds(1000)).toBe(1)
    await waitFor(() => c.status() === 'closed', 'closed')
    expect(c.lastError()?._tag).toBe('FeedTokenExpired')
    expect(rec.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'closed'])
    expect(rec.statuses.at(-1)?.reason).toMatch(/expired/)
    await waitFor(() => proxy.open() === 0, 'socket gone')
    expect(proxy.total()).toBe(1)
    await c.close()
    expect(rec.sequence().at(-1)).toBe('closed')
    expect(rec.statuses).toHaveLength(4)
  })

  it('stops with closed when the server expires the token and closes the socket itself', async () => {
    const c = start()
    await connected(c)
    expect(h.sandbox.expireTokens()).toBeGreaterThan(0)
    await waitFor(() => c.status() === 'closed', 'closed')
    expect(c.lastError()?._tag).toBe('FeedTokenExpired')
    expect(rec.statuses.at(-2)?.reason).toMatch(/1000 \(token expired\)/)
  })

  it('reports an unknown token as unauthorized at the first connect', async () => {
    const c = start({ token: () => 'sbx.not-a-token' })
    await waitFor(() => c.status() === 'closed', 'closed')
    expect(c.lastError()?._tag).toBe('FeedUnauthorized')
    expect(rec.sequence()).toEqual(['connecting', 'closed'])
    expect(proxy.total()).toBe(0)
  })

  it('keeps retrying through an authorize that throws and an unusable URL, then connects', async () => {
    const fresh = sandboxAuthorize(h.sandbox.baseUrl, () => h.token, undefined, proxy.rewrite)
    let calls = 0
    const c = createMarketFeedClient({
      authorize: () => {
        calls++
        if (calls === 1) return Promise.reject(new Error('network down'))
        if (calls === 2) return Promise.resolve(E.right('not a url'))
        return fresh()
      },
      feedType,
      log: quietLog(),
      backoff: FAST_BACKOFF,
      random: createSeededRandom(9).next,
      onStatus: rec.onStatus,
    })
    client = c
    c.start()
    await connected(c)
    expect(calls).toBe(3)
    expect(c.counters()).toMatchObject({ failedAttempts: 2, connections: 1 })
    expect(rec.sequence()).toEqual(['connecting', 'reconnecting', 'connected'])
    expect(rec.statuses[1]?.reason).toMatch(/authorize threw: network down/)
  })

  it('retries a refused handshake with a fresh authorized URL', async () => {
    // The first URL the client gets was already used by another socket, so its upgrade is answered 401.
    const fresh = sandboxAuthorize(h.sandbox.baseUrl, () => h.token, undefined, proxy.rewrite)
    const spent = await fresh()
    if (E.isLeft(spent)) throw new Error(spent.left._tag)
    const burner = new WebSocket(spent.right)
    await new Promise((r) => burner.once('open', r))
    burner.terminate()
    let calls = 0
    const c = createMarketFeedClient({
      authorize: () => (++calls === 1 ? Promise.resolve(spent) : fresh()),
      feedType,
      log: quietLog(),
      backoff: FAST_BACKOFF,
      random: createSeededRandom(5).next,
      onStatus: rec.onStatus,
    })
    client = c
    c.start()
    await connected(c)
    expect(calls).toBe(2)
    expect(c.counters()).toMatchObject({ failedAttempts: 1, connections: 1 })
    expect(rec.sequence()).toEqual(['connecting', 'reconnecting', 'connected'])
    expect(rec.statuses[1]?.reason).toMatch(/401/)
  })
})

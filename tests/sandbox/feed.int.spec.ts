import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  connectFeed,
  type FeedClient,
  type Harness,
  RELIANCE,
  sdkFeedType,
  startHarness,
  TCS,
} from './sandboxHarness.js'

// The V3 market-data WebSocket over loopback, every frame decoded with the SDK's own proto by protobufjs.

describe('upstox sandbox market feed', () => {
  let h: Harness
  let feed: FeedClient | undefined
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    feed?.ws.terminate()
    feed = undefined
    await h.sandbox.close()
  })

  const open = async (): Promise<FeedClient> => {
    const auth = await h.api('GET', '/v3/feed/market-data-feed/authorize')
    feed = await connectFeed(auth.json.data.authorized_redirect_uri)
    return feed
  }
  const quiet = async (f: FeedClient) => {
    await new Promise((r) => setTimeout(r, 150))
    return f.pending()
  }

  it('sends market_info first, an initial_feed per subscription, then live_feed ltpc updates', async () => {
    const f = await open()
    const info = await f.next()
    expect(info.type).toBe('market_info')
    expect(info.marketInfo.segmentStatus.NSE_EQ).toBe('NORMAL_OPEN')
    f.send('sub', 'ltpc', [RELIANCE, 'NSE_EQ|UNKNOWN'])
    const initial = await f.next()
    expect(initial.type).toBeUndefined() // initial_feed is the proto3 default, so it is omitted
    expect(Object.keys(initial.feeds)).toEqual([RELIANCE])
    const cp = h.sandbox.market.quote(RELIANCE)!.cpPaise / 100
    expect(initial.feeds[RELIANCE].ltpc).toMatchObject({ ltp: cp, cp })
    const [tick] = h.sandbox.market.step(1).filter((t) => t.instrumentKey === RELIANCE)
    const live = await f.next()
    expect(live.type).toBe('live_feed')
    expect(live.feeds[RELIANCE].ltpc).toMatchObject({
      ltp: tick!.pricePaise / 100,
      ltt: String(tick!.tsMs),
      ltq: String(tick!.qty),
      cp,
    })
    expect(live.currentTs).toBe(String(tick!.tsMs))
  })

  it('sends full-mode market feeds with depth, OHLC including I1, cumulative volume and ATP', async () => {
    const f = await open()
    await f.next()
    f.send('sub', 'full', [RELIANCE, TCS])
    const initial = await f.next()
    expect(Object.keys(initial.feeds).sort()).toEqual([RELIANCE, TCS].sort())
    expect(initial.feeds[RELIANCE].requestMode).toBe('full_d5')
    const ticks = h.sandbox.market.step(4).filter((t) => t.instrumentKey === RELIANCE)
    let last = await f.next()
    for (let i = 1; i < 4; i++) last = await f.next()
    const ff = last.feeds[RELIANCE].fullFeed.marketFF
    const volume = ticks.reduce((s, t) => s + t.qty, 0)
    expect(ff.vtt).toBe(String(volume))
    expect(ff.ltpc.ltp).toBe(ticks.at(-1)!.pricePaise / 100)
    expect(ff.marketLevel.bidAskQuote).toHaveLength(5)
    expect(ff.marketLevel.bidAskQuote[0].askP).toBeGreaterThan(ff.marketLevel.bidAskQuote[0].bidP)
    const intervals = ff.marketOHLC.ohlc.map((c: { interval: string }) => c.interval)
    expect(intervals).toContain('1d')
    expect(intervals).toContain('I1')
    const i1 = ff.marketOHLC.ohlc.find((c: { interval: string }) => c.interval === 'I1')
    expect(i1.vol).toBe(String(volume))
    expect(ff.atp).toBeGreaterThan(0)
    expect(ff.tbq).toBeGreaterThan(0)
  })

  it('changes mode with a fresh snapshot and stops sending after unsub', async () => {
    const f = await open()
    await f.next()
    f.send('sub', 'ltpc', [RELIANCE, TCS])
    await f.next()
    f.send('change_mode', 'full', [TCS])
    const changed = await f.next()
    expect(Object.keys(changed.feeds)).toEqual([TCS])
    expect(changed.feeds[TCS].fullFeed.marketFF).toBeDefined()
    h.sandbox.market.step(1)
    const both = await f.next()
    expect(both.feeds[RELIANCE].ltpc).toBeDefined()
    expect(both.feeds[TCS].fullFeed).toBeDefined()
    f.send('unsub', undefined, [RELIANCE, TCS])
    await new Promise((r) => setTimeout(r, 50))
    h.sandbox.market.step(2)
    expect(await quiet(f)).toBe(0)
  })

  it('ignores malformed requests and keeps the connection', async () => {
    const f = await open()
    await f.next()
    for (const junk of ['{', '[]', 'null', '{"method":"sub","data":{"mode":"ltpc","instrumentKeys":"x"}}'])
      f.ws.send(Buffer.from(junk))
    f.ws.send(Buffer.from([0xff, 0x00, 0x13]))
    f.ws.send('{"method":"unsub"}')
    f.send('sub', 'ltpc', [RELIANCE])
    const initial = await f.next()
    expect(Object.keys(initial.feeds)).toEqual([RELIANCE])
  })

  it('pings as its heartbeat', async () => {
    const local = await startHarness({ heartbeatMs: 50 })
    try {
      const auth = await local.api('GET', '/v3/feed/market-data-feed/authorize')
      const f = await connectFeed(auth.json.data.authorized_redirect_uri)
      await new Promise((r) => f.ws.once('ping', r))
      f.ws.terminate()
    } finally {
      await local.sandbox.close()
    }
  })

  it('refuses a reused authorized URL and a bad bearer token', async () => {
    const auth = await h.api('GET', '/v3/feed/market-data-feed/authorize')
    const url = auth.json.data.authorized_redirect_uri
    feed = await connectFeed(url)
    await expect(connectFeed(url)).rejects.toThrow(/401/)
    const direct = new WebSocket(`${h.sandbox.baseUrl.replace('http', 'ws')}/v3/feed/market-data-feed`, {
      headers: { authorization: 'Bearer nope' },
    })
    await expect(new Promise((_, reject) => direct.once('error', reject))).rejects.toThrow(/401/)
  })

  it('redirects a Bearer-authenticated connect to an authorized URL, as the SDK streamer expects', async () => {
    const url = `${h.sandbox.baseUrl.replace('http', 'ws')}/v3/feed/market-data-feed`
    const direct = new WebSocket(url, { headers: { authorization: `Bearer ${h.token}` }, followRedirects: true })
    const first = await new Promise<Buffer>((resolve, reject) => {
      direct.once('message', resolve)
      direct.once('error', reject)
    })
    const type = await sdkFeedType()
    expect(type.toObject(type.decode(first), { enums: String }).type).toBe('market_info')
    direct.terminate()
    const noFollow = new WebSocket(url, { headers: { authorization: `Bearer ${h.token}` } })
    await expect(new Promise((_, reject) => noFollow.once('error', reject))).rejects.toThrow(/302/)
  })

  describe('faults', () => {
    it('closes with 1000 or drops with 1006 on demand', async () => {
      const f = await open()
      await f.next()
      expect(
        (await h.api('POST', '/_sandbox/faults/feed', { action: 'close', code: 1000 }, null)).json.data.closed,
      ).toBe(1)
      expect(await f.closed).toBe(1000)
      const g = await open()
      await g.next()
      h.sandbox.closeFeeds(1006)
      expect(await g.closed).toBe(1006)
    })

    it('closes the feed (1000) when its token expires', async () => {
      const f = await open()
      await f.next()
      await h.api('POST', '/_sandbox/faults/expire-tokens', {}, null)
      expect(await f.closed).toBe(1000)
    })

    it('sends malformed frames without closing, then valid ones again', async () => {
      const f = await open()
      await f.next()
      f.send('sub', 'ltpc', [RELIANCE])
      await f.next()
      await h.api('POST', '/_sandbox/faults/feed', { action: 'malformed', count: 1 }, null)
      h.sandbox.market.step(2)
      expect((await f.next()).malformed).toBeDefined()
      expect((await f.next()).type).toBe('live_feed')
    })

    it('goes silent (no frames, no pongs) and recovers', async () => {
      const f = await open()
      await f.next()
      f.send('sub', 'ltpc', [RELIANCE])
      await f.next()
      await h.api('POST', '/_sandbox/faults/feed', { action: 'silence', on: true }, null)
      let pong = false
      f.ws.once('pong', () => {
        pong = true
      })
      f.ws.ping()
      h.sandbox.market.step(2)
      expect(await quiet(f)).toBe(0)
      expect(pong).toBe(false)
      await h.api('POST', '/_sandbox/faults/feed', { action: 'silence', on: false }, null)
      h.sandbox.market.step(1)
      expect((await f.next()).type).toBe('live_feed')
    })
  })
})

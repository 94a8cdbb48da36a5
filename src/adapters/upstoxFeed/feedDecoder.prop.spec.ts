import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type protobuf from 'protobufjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeFeedResponse, loadFeedResponseType } from '../upstoxSandbox/index.js'
import { createFeedDecoder, type FeedDecoder } from './feedDecoder.js'

// Round trip: frames encoded with the SDK proto (through the sandbox's encoder, the same bytes Upstox sends)
// decode with ours to exactly the generated values.

let type: protobuf.Type
let decoder: FeedDecoder
beforeAll(async () => {
  const t = await loadFeedResponseType()
  if (E.isLeft(t)) throw new Error(t.left._tag)
  type = t.right
  decoder = createFeedDecoder(type)
})

const key = fc
  .tuple(fc.constantFrom('NSE_EQ', 'BSE_EQ', 'NSE_FO'), fc.stringMatching(/^[A-Z0-9]{1,12}$/))
  .map(([s, id]) => `${s}|${id}`)
const paise = fc.integer({ min: 5, max: 50_000_000 })
const lttMs = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 })
const qty = fc.integer({ min: 0, max: 2 ** 40 })
const instrument = fc.record({
  key,
  ltp: paise,
  ltt: lttMs,
  ltq: qty,
  cp: paise,
  full: fc.option(
    fc.record({
      vtt: qty,
      oi: fc.integer({ min: 0, max: 10_000_000 }),
      bidP: paise,
      askP: paise,
      bidQ: qty,
      askQ: qty,
    }),
    { nil: undefined },
  ),
})

describe('feedDecoder', () => {
  it('decodes every ltpc and full feed of a frame to the encoded values, in integer paise', () => {
    fc.assert(
      fc.property(fc.uniqueArray(instrument, { selector: (i) => i.key, maxLength: 20 }), fc.boolean(), (list, live) => {
        const feeds: Record<string, unknown> = {}
        for (const i of list) {
          const ltpc = { ltp: i.ltp / 100, ltt: i.ltt, ltq: i.ltq, cp: i.cp / 100 }
          feeds[i.key] =
            i.full === undefined
              ? { ltpc }
              : {
                  fullFeed: {
                    marketFF: {
                      ltpc,
                      marketLevel: {
                        bidAskQuote: [
                          { bidP: i.full.bidP / 100, askP: i.full.askP / 100, bidQ: i.full.bidQ, askQ: i.full.askQ },
                          { bidP: 1, askP: 2, bidQ: 3, askQ: 4 },
                        ],
                      },
                      vtt: i.full.vtt,
                      oi: i.full.oi,
                    },
                  },
                }
        }
        const bytes = encodeFeedResponse(type, {
          type: live ? 'live_feed' : 'initial_feed',
          currentTs: 1_700_000_000_123,
          feeds,
        })
        const r = decoder.decode(bytes)
        if (E.isLeft(r)) throw new Error(r.left.reason)
        expect(r.right.kind).toBe(live ? 'live_feed' : 'initial_feed')
        expect(r.right.currentTs).toBe(1_700_000_000_123)
        expect(r.right.skipped).toBe(0)
        const want = list.map((i) => ({
          instrumentKey: i.key,
          ltpPaise: i.ltp,
          lttMs: i.ltt,
          ltq: i.ltq,
          ...(i.full === undefined
            ? {}
            : {
                volume: i.full.vtt,
                oi: i.full.oi,
                bidPaise: i.full.bidP,
                bidQty: i.full.bidQ,
                askPaise: i.full.askP,
                askQty: i.full.askQ,
              }),
        }))
        const byKey = (a: { instrumentKey: string }, b: { instrumentKey: string }) =>
          a.instrumentKey < b.instrumentKey ? -1 : 1
        expect([...r.right.ticks].sort(byKey)).toEqual(want.sort(byKey))
      }),
      { numRuns: 200 },
    )
  })

  it('maps an index full feed (indexFF) to its ltpc only', () => {
    const bytes = encodeFeedResponse(type, {
      type: 'live_feed',
      feeds: {
        'NSE_INDEX|Nifty 50': {
          fullFeed: {
            indexFF: { ltpc: { ltp: 24_321.45, ltt: 1_735_800_000_000, ltq: 0, cp: 24_000 }, marketOHLC: { ohlc: [] } },
          },
        },
      },
    })
    const r = decoder.decode(bytes)
    expect(E.isRight(r) && r.right.ticks).toEqual([
      { instrumentKey: 'NSE_INDEX|Nifty 50', ltpPaise: 2_432_145, lttMs: 1_735_800_000_000, ltq: 0 },
    ])
  })

  it('skips feeds without a trade (ltp 0), with an invalid key, and leaves out an empty side of the book', () => {
    const ltpc = { ltp: 100, ltt: 1_735_800_000_000, ltq: 1, cp: 99 }
    const bytes = encodeFeedResponse(type, {
      type: 'live_feed',
      feeds: {
        'NSE_EQ|NOTRADE': { ltpc: { ltp: 0, ltt: 0, ltq: 0, cp: 99 } },
        'not a key': { ltpc },
        'NSE_EQ|NOASK': {
          fullFeed: {
            marketFF: { ltpc, vtt: 10, marketLevel: { bidAskQuote: [{ bidP: 99.95, bidQ: 7, askP: 0, askQ: 0 }] } },
          },
        },
      },
    })
    const r = decoder.decode(bytes)
    if (E.isLeft(r)) throw new Error(r.left.reason)
    expect(r.right.skipped).toBe(2)
    expect(r.right.ticks).toEqual([
      {
        instrumentKey: 'NSE_EQ|NOASK',
        ltpPaise: 10_000,
        lttMs: 1_735_800_000_000,
        ltq: 1,
        volume: 10,
        oi: 0,
        bidPaise: 9995,
        bidQty: 7,
      },
    ])
  })

  it('reads market_info segment statuses by name', () => {
    const r = decoder.decode(
      encodeFeedResponse(type, {
        type: 'market_info',
        marketInfo: { segmentStatus: { NSE_EQ: 'NORMAL_OPEN', BSE_EQ: 'NORMAL_CLOSE' } },
      }),
    )
    expect(E.isRight(r) && r.right).toMatchObject({
      kind: 'market_info',
      ticks: [],
      segmentStatus: { NSE_EQ: 'NORMAL_OPEN', BSE_EQ: 'NORMAL_CLOSE' },
    })
  })

  it('returns a typed error for bytes that are not a FeedResponse, never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const r = decoder.decode(bytes)
        if (E.isLeft(r)) expect(r.left).toMatchObject({ _tag: 'FeedFrameMalformed', bytes: bytes.length })
      }),
    )
    const r = decoder.decode(Uint8Array.from([0x0f, 0x0f, 0x0f, 0x0f]))
    expect(E.isLeft(r) && r.left._tag).toBe('FeedFrameMalformed')
  })
})

import * as E from 'fp-ts/lib/Either.js'
import type protobuf from 'protobufjs'
import { createFeedDecoder, loadMarketFeedProto, type TickPayload } from '../src/adapters/upstoxFeed/index.js'
import { encodeFeedResponse } from '../src/adapters/upstoxSandbox/index.js'
import { InstrumentKey } from '../src/domain/ids/index.js'
import { unsafeMoney } from '../src/domain/money/index.js'
import { istInstant } from '../src/domain/time/index.js'

// Market-feed decode: protobuf FeedResponse frames/s and ticks/s through the client's decoder (`createFeedDecoder`,
// reading fields off the decoded message), next to a naive baseline in the same run: protobufjs `toObject` (longs
// as numbers, enums as strings) and a mapping over the JSON-shaped copy, the way the SDK's streamer output is
// usually consumed. Standalone:
//
//   npx tsc -p tsconfig.bench.json && node dist/bench/feedDecode.bench.js
//
// Frames are realistic live_feed frames encoded with the SDK's proto (what the sandbox and Upstox send): ltpc and
// full (5 depth levels, 1d + I1 OHLC, atp, vtt, tbq, tsq), with 1 and 50 instruments per frame, prices on the 0.05
// grid. Encoded before timing; each case runs BENCH_PASSES passes (default 5); the median is printed. Figures vary
// with load (2 shared cores here).

const PASSES = Number(process.env.BENCH_PASSES ?? 5)
const TICKS_PER_CASE = 200_000

const lcg = (seed: number) => () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
  return seed / 4294967296
}

const frames = (type: protobuf.Type, mode: 'ltpc' | 'full', perFrame: number): Uint8Array[] => {
  const rnd = lcg(perFrame * 31 + (mode === 'full' ? 7 : 3))
  const keys = Array.from({ length: perFrame }, (_, i) => `NSE_EQ|INE${String(100000 + i)}A01018`)
  const price = keys.map(() => 100_000 + Math.floor(rnd() * 400_000))
  const vtt = keys.map(() => 0)
  const open = istInstant('2025-01-02', '09:15')!
  const out: Uint8Array[] = []
  const n = Math.ceil(TICKS_PER_CASE / perFrame)
  for (let f = 0; f < n; f++) {
    const feeds: Record<string, unknown> = {}
    const ts = open + f * 250
    for (let i = 0; i < perFrame; i++) {
      price[i] = Math.max(500, price[i]! + Math.round((rnd() - 0.5) * 6) * 5)
      const ltq = 1 + Math.floor(rnd() * 500)
      vtt[i]! += ltq
      const ltpc = { ltp: price[i]! / 100, ltt: ts - Math.floor(rnd() * 200), ltq, cp: 2500 }
      if (mode === 'ltpc') {
        feeds[keys[i]!] = { ltpc, requestMode: 'ltpc' }
        continue
      }
      const bidAskQuote = Array.from({ length: 5 }, (_, l) => ({
        bidQ: 100 + l * 37,
        bidP: (price[i]! - l * 5) / 100,
        askQ: 90 + l * 41,
        askP: (price[i]! + (l + 1) * 5) / 100,
      }))
      const candle = (interval: string, t: number) => ({
        interval,
        open: price[i]! / 100,
        high: (price[i]! + 50) / 100,
        low: (price[i]! - 50) / 100,
        close: price[i]! / 100,
        vol: vtt[i]!,
        ts: t,
      })
      feeds[keys[i]!] = {
        fullFeed: {
          marketFF: {
            ltpc,
            marketLevel: { bidAskQuote },
            marketOHLC: { ohlc: [candle('1d', open - 33_300_000), candle('I1', ts - (ts % 60_000))] },
            atp: price[i]! / 100,
            vtt: vtt[i]!,
            oi: 0,
            tbq: 123_456,
            tsq: 234_567,
          },
        },
        requestMode: 'full_d5',
      }
    }
    out.push(encodeFeedResponse(type, { type: 'live_feed', currentTs: ts, feeds }))
  }
  return out
}

/**
 * The baseline: a full JS copy of every frame with `toObject`, then the same payloads read from the copy (prices
 * unchecked, which only flatters the baseline).
 */
const naiveDecoder = (type: protobuf.Type) => {
  // biome-ignore lint/suspicious/noExplicitAny: the baseline reads the JSON-shaped copy the way untyped code does
  const toTick = (key: string, f: any): TickPayload | undefined => {
    const m = f.fullFeed?.marketFF
    const ltpc = f.ltpc ?? m?.ltpc ?? f.fullFeed?.indexFF?.ltpc
    if (ltpc === undefined || !InstrumentKey.is(key)) return undefined
    const t: TickPayload = {
      instrumentKey: key,
      ltpPaise: unsafeMoney.price(Math.round(ltpc.ltp * 100)),
      lttMs: Number(ltpc.ltt),
      ltq: Number(ltpc.ltq ?? 0),
    }
    if (m !== undefined) {
      const best = m.marketLevel?.bidAskQuote?.[0]
      return {
        ...t,
        volume: Number(m.vtt ?? 0),
        oi: Math.round(m.oi ?? 0),
        ...(best === undefined
          ? {}
          : {
              bidPaise: unsafeMoney.paise(Math.round(best.bidP * 100)),
              bidQty: Number(best.bidQ),
              askPaise: unsafeMoney.paise(Math.round(best.askP * 100)),
              askQty: Number(best.askQ),
            }),
      }
    }
    return t
  }
  return (bytes: Uint8Array): number => {
    const obj = type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: false })
    let n = 0
    for (const [k, f] of Object.entries(obj.feeds ?? {})) if (toTick(k, f) !== undefined) n++
    return n
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

const time = (list: readonly Uint8Array[], run: (b: Uint8Array) => number) => {
  const rates: { frames: number; ticks: number }[] = []
  let ticks = 0
  for (let p = 0; p < PASSES; p++) {
    ticks = 0
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < list.length; i++) ticks += run(list[i]!)
    const dt = Number(process.hrtime.bigint() - t0) / 1e9
    rates.push({ frames: list.length / dt, ticks: ticks / dt })
  }
  return { frames: median(rates.map((r) => r.frames)), ticks: median(rates.map((r) => r.ticks)), count: ticks }
}

const main = async () => {
  const loaded = await loadMarketFeedProto()
  if (E.isLeft(loaded)) throw new Error(`cannot load the feed proto: ${loaded.left._tag}`)
  const type = loaded.right
  const ours = createFeedDecoder(type)
  const oursRun = (b: Uint8Array): number => {
    const r = ours.decode(b)
    return E.isRight(r) ? r.right.ticks.length : 0
  }
  const naive = naiveDecoder(type)
  console.log(`feed decode (${PASSES} passes, median; ~${TICKS_PER_CASE} ticks per case)`)
  for (const mode of ['ltpc', 'full'] as const)
    for (const perFrame of [1, 50]) {
      const list = frames(type, mode, perFrame)
      const bytes = list.reduce((s, b) => s + b.length, 0) / list.length
      const a = time(list, oursRun)
      const b = time(list, naive)
      if (a.count !== b.count) throw new Error(`tick counts differ: ${a.count} vs ${b.count}`)
      const k = (x: number) => `${(x / 1e3).toFixed(1)} k`
      console.log(
        `  ${mode.padEnd(4)} x${String(perFrame).padEnd(2)} (${bytes.toFixed(0)} B/frame): ours ${k(a.frames)} frames/s, ${k(a.ticks)} ticks/s | toObject baseline ${k(b.frames)} frames/s, ${k(b.ticks)} ticks/s | ${(a.ticks / b.ticks).toFixed(2)}x`,
      )
    }
}

await main()

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'
import * as E from 'fp-ts/lib/Either.js'
import { WebSocketServer } from 'ws'
import { encodeFeedResponse, loadFeedResponseType } from '../src/adapters/upstoxSandbox/index.js'

// The venue side of the tick-to-order benchmark, in its own thread so that its work never sits on the measured
// event loop: a V3 market-data WebSocket that sends pre-encoded `FeedResponse` frames (the SDK's proto) at a fixed
// rate, and the Upstox place-order endpoint, which notes when each order request arrives and answers as Upstox does.
// Times are `performance.timeOrigin + performance.now()`, comparable across threads.

export interface VenueConfig {
  readonly ticksPerSecond: number
  readonly seconds: number
  /** Every this many ticks, one carries `ltq` 7 on a fresh instrument: the probe strategy buys it. */
  readonly triggerEvery: number
  readonly backgroundKeys: readonly string[]
  readonly triggerKeys: readonly string[]
  readonly baseLttMs: number
}

export type VenueMessage =
  | { readonly kind: 'ready'; readonly feedUrl: string; readonly restUrl: string }
  | { readonly kind: 'pumped'; readonly frames: number; readonly behindMs: number }
  | { readonly kind: 'arrivals'; readonly arrivals: readonly (readonly [string, number])[] }

const now = () => performance.timeOrigin + performance.now()

const main = async () => {
  const c = workerData as VenueConfig
  const type = await loadFeedResponseType()
  if (E.isLeft(type)) throw new Error(type.left.reason)
  const total = c.ticksPerSecond * c.seconds
  const frames: Uint8Array[] = new Array(total)
  let trigger = 0
  for (let i = 0; i < total; i++) {
    const isTrigger = i % c.triggerEvery === c.triggerEvery - 1 && trigger < c.triggerKeys.length
    const key = isTrigger ? c.triggerKeys[trigger++]! : c.backgroundKeys[i % c.backgroundKeys.length]!
    const lttMs = c.baseLttMs + Math.floor((i * 1000) / c.ticksPerSecond)
    frames[i] = encodeFeedResponse(type.right, {
      type: 'live_feed',
      currentTs: lttMs,
      feeds: { [key]: { ltpc: { ltp: 1000 + (i % 50) * 0.05, ltt: lttMs, ltq: isTrigger ? 7 : 1, cp: 1000 } } },
    })
  }

  const arrivals: [string, number][] = []
  const rest = createServer((req, res) => {
    const at = now()
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      body += d
    })
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      if (req.method === 'POST' && req.url?.startsWith('/v2/order/place')) {
        const order = JSON.parse(body) as { instrument_token: string }
        arrivals.push([order.instrument_token, at])
        res.end(JSON.stringify({ status: 'success', data: { order_id: `B${arrivals.length}` } }))
        return
      }
      res.statusCode = 404
      res.end(JSON.stringify({ status: 'error', errors: [{ errorCode: 'UDAPI10000', message: 'not in this bench' }] }))
    })
  })
  await new Promise<void>((r) => rest.listen(0, '127.0.0.1', r))
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((r) => wss.once('listening', r))
  wss.on('connection', (ws) => {
    // Pump once the client has subscribed (its first frame).
    ws.once('message', () => {
      const t0 = performance.now()
      let sent = 0
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * c.ticksPerSecond))
        while (sent < due) ws.send(frames[sent++]!)
        if (sent === total) {
          clearInterval(timer)
          const behindMs = performance.now() - t0 - c.seconds * 1000
          parentPort!.postMessage({ kind: 'pumped', frames: sent, behindMs } satisfies VenueMessage)
        }
      }, 1)
    })
  })
  parentPort!.on('message', (m: string) => {
    if (m === 'arrivals') parentPort!.postMessage({ kind: 'arrivals', arrivals } satisfies VenueMessage)
    if (m === 'close') {
      wss.close()
      rest.close()
      parentPort!.close()
    }
  })
  parentPort!.postMessage({
    kind: 'ready',
    feedUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/feed`,
    restUrl: `http://127.0.0.1:${(rest.address() as AddressInfo).port}`,
  } satisfies VenueMessage)
}

void main()

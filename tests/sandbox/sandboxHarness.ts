import * as E from 'fp-ts/lib/Either.js'
import pino, { type Logger } from 'pino'
import protobuf from 'protobufjs'
import WebSocket from 'ws'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import {
  FEED_RESPONSE_TYPE,
  sdkProtoPath,
  startUpstoxSandbox,
  type UpstoxSandbox,
  type UpstoxSandboxOptions,
} from '../../src/adapters/upstoxSandbox/index.js'

// Starting a sandbox on an ephemeral loopback port with a manual market and a settable wall clock, and talking to it
// over real HTTP and WebSocket, for the tests in this folder.

export const RELIANCE = 'NSE_EQ|INE002A01018'
export const TCS = 'NSE_EQ|INE467B01029'

export interface TestClock {
  nowMs: number
}

export interface Harness {
  readonly sandbox: UpstoxSandbox
  readonly clock: TestClock
  readonly token: string
  readonly logLines: string[]
  readonly api: (method: string, path: string, body?: unknown, token?: string | null) => Promise<ApiResult>
}

export interface ApiResult {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  readonly json: any
}

/** 2026-01-05 10:00 IST, a Monday. */
export const WALL_START_MS = Date.UTC(2026, 0, 5, 4, 30)

export const startHarness = async (
  opts: Partial<Omit<UpstoxSandboxOptions, 'calendar' | 'log' | 'clock'>> = {},
): Promise<Harness> => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) throw new Error('no calendar')
  const clock: TestClock = { nowMs: WALL_START_MS }
  const logLines: string[] = []
  const log: Logger = pino({ level: 'debug' }, { write: (s: string) => logLines.push(s) })
  const started = await startUpstoxSandbox({
    calendar: calendar.right,
    log,
    clock: { nowMs: () => clock.nowMs },
    historyDays: 3,
    ...opts,
  })
  if (E.isLeft(started)) throw new Error(started.left._tag)
  const sandbox = started.right
  const token = sandbox.issueAccessToken()
  const api = async (method: string, path: string, body?: unknown, tok: string | null = token): Promise<ApiResult> => {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (tok !== null) headers.authorization = `Bearer ${tok}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${sandbox.baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, json: text.length > 0 ? JSON.parse(text) : undefined }
  }
  return { sandbox, clock, token, logLines, api }
}

let feedType: protobuf.Type | undefined
/** The SDK's own proto, loaded independently of the sandbox's copy of the loader. */
export const sdkFeedType = async (): Promise<protobuf.Type> => {
  feedType ??= (await protobuf.load(sdkProtoPath())).lookupType(FEED_RESPONSE_TYPE)
  return feedType
}

export interface FeedClient {
  readonly ws: WebSocket
  // biome-ignore lint/suspicious/noExplicitAny: decoded protobuf as JSON
  readonly next: (timeoutMs?: number) => Promise<any>
  readonly send: (method: string, mode: string | undefined, keys: readonly string[]) => void
  readonly closed: Promise<number>
  readonly pending: () => number
}

/** Connects to a feed URL and decodes every binary frame with the SDK proto (longs as strings, enums by name). */
export const connectFeed = async (url: string): Promise<FeedClient> => {
  const type = await sdkFeedType()
  const ws = new WebSocket(url)
  const queue: unknown[] = []
  const waiters: ((v: unknown) => void)[] = []
  ws.on('message', (data: Buffer) => {
    let v: unknown
    try {
      v = type.toObject(type.decode(new Uint8Array(data)), { longs: String, enums: String, defaults: false })
    } catch (e) {
      v = { malformed: (e as Error).message }
    }
    const w = waiters.shift()
    if (w) w(v)
    else queue.push(v)
  })
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    closed,
    pending: () => queue.length,
    next: (timeoutMs = 2000) =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error('no frame in time')), timeoutMs)
            waiters.push((v) => {
              clearTimeout(t)
              resolve(v)
            })
          }),
    send: (method, mode, keys) =>
      ws.send(
        Buffer.from(
          JSON.stringify({
            guid: `g-${Math.random()}`,
            method,
            data: { ...(mode ? { mode } : {}), instrumentKeys: keys },
          }),
        ),
      ),
  }
}

export const placeBody = (o: Partial<Record<string, unknown>> = {}) => ({
  quantity: 10,
  product: 'I',
  validity: 'DAY',
  price: 0,
  tag: 'bahi-test',
  instrument_token: RELIANCE,
  order_type: 'MARKET',
  transaction_type: 'BUY',
  disclosed_quantity: 0,
  trigger_price: 0,
  is_amo: false,
  ...o,
})

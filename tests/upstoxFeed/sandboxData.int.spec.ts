import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createMarketFeedClient, loadMarketFeedProto, type TickPayload } from '../../src/adapters/upstoxFeed/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { istInstant } from '../../src/domain/time/index.js'
import { commands } from '../../src/processes/cli/commands/index.js'
import { bahi } from '../cli/cliHarness.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'
import { quietLog, sandboxAuthorize, waitFor } from './feedClientHarness.js'

// Commands load on demand (see commands/index.ts).
const { dataSealCommand } = await commands.data()
const { importCommand } = await commands.import()
const { sandboxCommand } = await commands.sandbox()

// `bahi sandbox --data <dir>` and `--data store`: the sandbox replays recorded bars (real TCS 1-minute files,
// copied to a temp dir, never into the project), and the feed client's ticks carry that file's prices at that
// file's times.

const FILES = ['09-01-2025.csv', '13-01-2025.csv', '22-01-2025.csv']
const REPLAY_DATE = '2025-01-22'
const silent = () => pino({ level: 'silent' })

/** The four ticks the sandbox makes of the file's first bar (O, then L and H in the bar's direction, then C). */
const firstBarPath = (text: string) => {
  // date,time,open,high,low,close,volume,...
  const cols = (text.split(/\r?\n/)[1] ?? '').split(',')
  const [open = 0, high = 0, low = 0, close = 0] = cols.slice(2, 6).map((x) => Math.round(Number(x) * 100))
  const prices = close >= open ? [open, low, high, close] : [open, high, low, close]
  const barOpenMs = istInstant(REPLAY_DATE, '09:15')!
  return { ticks: prices.map((p, i) => [p, barOpenMs + i * 15_000]), volume: Number(cols[6]) }
}

const copyTcs = (dir: string) => {
  mkdirSync(dir, { recursive: true })
  for (const f of FILES) copyFileSync(join(nseDataDir(), 'equity-1min-2025', '5Scripts', 'TCS', f), join(dir, f))
}

/** Runs `bahi sandbox` in-process with these options, subscribes its one instrument and steps one bar. */
const replayFirstBar = async (o: { data: string; home?: string }): Promise<TickPayload[]> => {
  const out: string[] = []
  const err: string[] = []
  let stop: () => void = () => {}
  const until = new Promise<void>((r) => {
    stop = r
  })
  const running = sandboxCommand(
    { port: 0, speed: 0, json: true, until, historyDays: 2, ...o },
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    silent(),
  )
  await waitFor(() => out.length > 0 || err.length > 0, 'the sandbox started')
  expect(err).toEqual([])
  const info = JSON.parse(out[0]!)
  expect(info.replayDate).toBe(REPLAY_DATE)
  expect(info.data).toBe(o.data)
  expect(info.instruments).toHaveLength(1)
  const key = unsafe.instrumentKey(info.instruments[0])
  expect(key).toMatch(/^NSE_EQ\|/)
  const proto = await loadMarketFeedProto()
  if (E.isLeft(proto)) throw new Error(proto.left._tag)
  const ticks: TickPayload[] = []
  const client = createMarketFeedClient({
    authorize: sandboxAuthorize(info.baseUrl, () => info.accessToken),
    feedType: proto.right,
    log: quietLog(),
    onTicks: (batch, frame) => {
      if (frame.kind === 'live_feed') ticks.push(...batch)
    },
  })
  try {
    client.start()
    await waitFor(() => client.status() === 'connected', 'connected')
    client.subscribe([key], 'full')
    await waitFor(() => client.counters().ticks > 0, 'the snapshot')
    const step = await fetch(`${info.baseUrl}/_sandbox/market/step`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticks: 4 }),
    })
    expect(step.status).toBe(200)
    await waitFor(() => ticks.length === 4, 'four live ticks')
    return ticks
  } finally {
    await client.close()
    stop()
    expect(await running).toBe(0)
  }
}

describe('bahi sandbox --data', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  itWithNseData('replays a directory of recorded 1-minute bars through the market feed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bahi-sandbox-data-'))
    dirs.push(root)
    copyTcs(join(root, 'TCS')) // the equity-1min format takes the symbol from the folder name
    const want = firstBarPath(readFileSync(join(root, 'TCS', FILES[2]!), 'utf8'))
    const ticks = await replayFirstBar({ data: root })
    expect(ticks.map((t) => [t.ltpPaise, t.lttMs])).toEqual(want.ticks)
    expect(ticks.at(-1)?.volume).toBe(want.volume)
  })

  itWithNseData('replays the sealed market store (bahi import, bahi data seal, then --data store)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bahi-sandbox-store-'))
    dirs.push(home)
    copyTcs(join(home, 'in', 'TCS'))
    const errs: string[] = []
    const io = { out: () => {}, err: (l: string) => errs.push(l) }
    expect(await importCommand({ path: join(home, 'in'), home, json: true }, io, silent())).toBe(0)
    expect(await dataSealCommand({ home, json: true, before: '2025-02-01' }, io, silent())).toBe(0)
    expect(errs).toEqual([])
    const want = firstBarPath(readFileSync(join(home, 'in', 'TCS', FILES[2]!), 'utf8'))
    const ticks = await replayFirstBar({ data: 'store', home })
    expect(ticks.map((t) => [t.ltpPaise, t.lttMs])).toEqual(want.ticks)
    expect(ticks.at(-1)?.volume).toBe(want.volume)
  })

  it('rejects a path that does not exist, and a store that was never sealed, with a clear message', async () => {
    const err: string[] = []
    const io = { out: () => {}, err: (l: string) => err.push(l) }
    expect(await sandboxCommand({ port: 0, speed: 0, json: true, data: '/nonexistent/bahi-data' }, io, silent())).toBe(
      2,
    )
    expect(err.at(-1)).toMatch(/--data \/nonexistent\/bahi-data: .*does not exist/)
    const home = mkdtempSync(join(tmpdir(), 'bahi-sandbox-empty-'))
    dirs.push(home)
    expect(await sandboxCommand({ port: 0, speed: 0, json: true, data: 'store', home }, io, silent())).toBe(2)
    expect(err.at(-1)).toMatch(/--data store: .*no sealed Parquet directory.*bahi data seal/)
    // The same through the real command line: --data and --home reach the command.
    const run = await bahi(['sandbox', '--data', 'store', '--home', home, '--json'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/bahi sandbox: --data store: .*market[/]sealed.*bahi data seal/)
  })
})

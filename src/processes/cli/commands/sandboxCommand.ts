import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { describeSandboxStartError, startUpstoxSandbox } from '../../../adapters/upstoxSandbox/index.js'
import { istMidnight } from '../../../domain/time/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { type SandboxMarketData, sandboxMarketFromFiles, sandboxMarketFromStore } from './sandboxMarketData.js'

// `bahi sandbox`: the Upstox-compatible local exchange on 127.0.0.1, replaying the seeded synthetic NSE market (or,
// with --data, the market store's sealed bars or a file/directory of recorded bars). It
// prints what a client needs to connect (with --json, one JSON line) and serves until SIGINT or SIGTERM.

export interface SandboxOptions {
  readonly port: number
  /** Replay speed: 1 = real time, 60 = one market minute per second. Undefined or 0: the market moves only through
   * `POST /_sandbox/market/step`. */
  readonly speed?: number
  readonly json: boolean
  readonly host?: string
  readonly from?: string
  readonly historyDays?: number
  readonly seed?: number
  /** `synthetic` (default), `store` (the sealed 1-minute bars under `home`), or a file or directory of bars. */
  readonly data?: string
  /** The data directory, for `--data store`. */
  readonly home?: string
  /** Stops the server when it settles (tests); otherwise SIGINT/SIGTERM do. */
  readonly until?: Promise<unknown>
}

const DEFAULT_SPEED = 60

export const sandboxCommand = async (o: SandboxOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  if (!Number.isSafeInteger(o.port) || o.port < 0 || o.port > 65_535) {
    io.err(`bahi sandbox: --port must be 0..65535, got "${o.port}"`)
    return 2
  }
  const speed = o.speed ?? DEFAULT_SPEED
  if (!Number.isFinite(speed) || speed < 0 || speed > 100_000) {
    io.err(`bahi sandbox: --speed must be a number from 0 to 100000, got "${o.speed}"`)
    return 2
  }
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) {
    io.err(`bahi sandbox: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  let recorded: SandboxMarketData | undefined
  const data = o.data ?? 'synthetic'
  if (data !== 'synthetic') {
    const fromMs = o.from === undefined ? undefined : istMidnight(o.from)
    if (o.from !== undefined && fromMs === undefined) {
      io.err(`bahi sandbox: --from must be YYYY-MM-DD, got "${o.from}"`)
      return 2
    }
    const loaded =
      data === 'store'
        ? await sandboxMarketFromStore(o.home ?? '.', fromMs)
        : sandboxMarketFromFiles(data, calendar.right, fromMs)
    if (E.isLeft(loaded)) {
      io.err(`bahi sandbox: --data ${data}: ${loaded.left}`)
      return 2
    }
    recorded = loaded.right
  }
  const started = await startUpstoxSandbox({
    calendar: calendar.right,
    log,
    clock: { nowMs: () => Date.now() },
    host: o.host ?? '127.0.0.1',
    port: o.port,
    ...(speed > 0 ? { speed } : {}),
    ...(o.from === undefined || recorded !== undefined ? {} : { from: o.from }),
    ...(o.historyDays === undefined ? {} : { historyDays: o.historyDays }),
    // Recorded data may hold fewer sessions than the history asked for: the last one is always the replay day.
    ...(recorded === undefined
      ? {}
      : {
          days: recorded.days,
          instruments: recorded.instruments,
          historyDays: Math.min(o.historyDays ?? 5, Math.max(0, recorded.sessions - 1)),
        }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  })
  if (E.isLeft(started)) {
    io.err(`bahi sandbox: ${describeSandboxStartError(started.left)}`)
    return 1
  }
  const s = started.right
  const info = {
    baseUrl: s.baseUrl,
    clientId: s.user.clientId,
    clientSecret: s.user.clientSecret,
    redirectUri: s.user.redirectUri,
    authCode: s.issueAuthCode(),
    accessToken: s.issueAccessToken(),
    replayDate: s.market.replayDate(),
    speed,
    data,
    instruments: s.market.instruments.map((i) => i.instrumentKey),
  }
  printResult(io, o.json, info, [
    `bahi sandbox: Upstox-compatible exchange on ${s.baseUrl}, replaying ${info.replayDate} (${data}) at ${speed > 0 ? `${speed}x` : 'manual steps'}`,
    `  baseUrl       ${info.baseUrl}`,
    `  clientId      ${info.clientId}`,
    `  clientSecret  ${info.clientSecret}`,
    `  redirectUri   ${info.redirectUri}`,
    `  authCode      ${info.authCode}`,
    `  accessToken   ${info.accessToken}`,
    'SDK: set ApiClient basePath and orderBasePath to baseUrl. Faults: POST /_sandbox/faults/... (docs/sandbox.md).',
    'Ctrl-C stops.',
  ])
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    o.until?.then(stop, stop)
  })
  await s.close()
  return 0
}

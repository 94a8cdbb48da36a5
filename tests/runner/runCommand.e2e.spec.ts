import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bahi, parseJsonOut, readAll, startBahi } from '../cli/cliHarness.js'
import { RELIANCE, startUpstoxHarness, type UpstoxHarness } from '../upstox/upstoxHarness.js'

// `bahi run` as a child process against the local exchange replaying its market fast: logged in with `bahi login`,
// paper then live, each session's journal verified by the command and again by `bahi replay --verify`.

interface RunSummary {
  readonly mode: string
  readonly journal: string
  readonly ticks: number
  readonly bars: number
  readonly orders: number
  readonly ordersPlaced: number
  readonly brokerErrors: number
  /** Live: the portfolio stream's order updates that made the session reconcile at once. */
  readonly venueUpdates?: number
  readonly positions: readonly { instrumentKey: string; symbol: string; qty: number }[]
  readonly verify: { divergences: number }
}

describe('bahi run against the sandbox', () => {
  let h: UpstoxHarness
  let home: string
  let env: Record<string, string>
  beforeAll(async () => {
    // 600x: ten market minutes a second, four ticks a minute per instrument.
    h = await startUpstoxHarness({ speed: 600 })
    home = mkdtempSync(join(tmpdir(), 'bahi-run-'))
    env = {
      BAHI_HOME: home,
      UPSTOX_BASE_URL: h.sandbox.baseUrl,
      UPSTOX_CLIENT_ID: h.sandbox.user.clientId,
      UPSTOX_CLIENT_SECRET: h.sandbox.user.clientSecret,
      UPSTOX_REDIRECT_URI: h.sandbox.user.redirectUri,
    }
    const login = await bahi(['login', `--code=${h.sandbox.issueAuthCode()}`, '--json'], env)
    expect(login.code).toBe(0)
  }, 60_000)
  afterAll(async () => {
    await h.close()
    rmSync(home, { recursive: true, force: true })
  })

  const run = async (extra: readonly string[]): Promise<RunSummary> => {
    const r = await bahi(
      [
        'run',
        '--strategy',
        'streak',
        '--params',
        '{"bars":2,"qty":5}',
        '--instruments',
        'RELIANCE',
        '--duration',
        '6',
        '--square-off',
        'off',
        '--json',
        ...extra,
      ],
      env,
      60_000,
    )
    expect(r.stderr).toContain('run: feed connected')
    expect(r.code).toBe(0)
    return parseJsonOut<RunSummary>(r)
  }

  it('refuses bad input with the flag and the reason, before connecting to anything', async () => {
    const cases: [readonly string[], RegExp][] = [
      [['--instruments', 'RELIANCE'], /--strategy is required \(one of: .*sma-cross/],
      [['--strategy', 'nope', '--instruments', 'RELIANCE'], /unknown strategy "nope"/],
      [
        ['--strategy', 'streak', '--params', '{"bars":"x"}', '--instruments', 'RELIANCE'],
        /bad --params for streak: bars/,
      ],
      [['--strategy', 'streak', '--params', '{bars', '--instruments', 'RELIANCE'], /--params is not JSON/],
      [['--strategy', 'streak'], /--instruments is required/],
      [['--strategy', 'streak', '--instruments', 'NOSUCH'], /unknown instrument\(s\) NOSUCH/],
      [['--strategy', 'streak', '--instruments', 'RELIANCE', '--limits', '{"maxOrdersPerSecond":-1}'], /bad --limits/],
      // A misspelt limit must be refused, not dropped: dropped, it would leave live trading unlimited.
      [
        ['--strategy', 'streak', '--instruments', 'RELIANCE', '--limits', '{"maxQtty":5}'],
        /bad --limits: unknown risk limit\(s\): maxQtty/,
      ],
      [['--strategy', 'streak', '--instruments', 'RELIANCE', '--limits', '[5]'], /--limits must be a JSON object/],
      [
        ['--strategy', 'streak', '--instruments', 'RELIANCE', '--stop-loss', '150'],
        /--stop-loss must be a percentage above 0 and below 100, got 150/,
      ],
      [
        ['--strategy', 'streak', '--instruments', 'RELIANCE', '--product', 'MIS'],
        /--product must be I \(intraday\) or D/,
      ],
      [
        ['--strategy', 'streak', '--instruments', 'RELIANCE', '--feed-mode', 'depth'],
        /--feed-mode must be full or ltpc/,
      ],
    ]
    for (const [args, message] of cases) {
      const r = await bahi(['run', ...args], env)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
    }
    expect(h.sandbox.openSockets().market).toBe(0)
  }, 120_000)

  it('paper: trades on the live feed with the simulated broker; nothing reaches the venue', async () => {
    const s = await run([])
    expect(s.mode).toBe('paper')
    expect(s.ticks).toBeGreaterThan(20)
    expect(s.bars).toBeGreaterThan(3)
    expect(s.orders).toBeGreaterThan(0)
    expect(s.ordersPlaced).toBe(0)
    expect(s.verify.divergences).toBe(0)
    expect(h.sandbox.orders.orderBook(h.sandbox.user.userId)).toEqual([])
    const replay = await bahi(['replay', s.journal, '--verify', '--json'], env)
    expect(replay.code).toBe(0)
    expect(parseJsonOut<{ divergences: number }>(replay).divergences).toBe(0)
    // The session's report, as a backtest's: the same fold over its journal.
    const report = await bahi(['report', s.journal, '--out', join(home, 'paper-report'), '--json'], env)
    expect(report.code, report.stderr).toBe(0)
    expect(parseJsonOut<{ mode: string; report: { html: string } }>(report)).toMatchObject({
      mode: 'paper',
      report: { html: join(home, 'paper-report', 'report.html') },
    })
    expect(existsSync(join(home, 'paper-report', 'report.html'))).toBe(true)
  }, 90_000)

  it('names an instrument by the trading symbol of an instrument master imported into the store', async () => {
    // given a hand-written master whose only row names RELIANCE's key RELMASTER, imported into this data directory
    const master = join(mkdtempSync(join(tmpdir(), 'bahi-run-master-')), 'master.json')
    writeFileSync(
      master,
      JSON.stringify([
        {
          instrument_key: RELIANCE,
          exchange: 'NSE',
          segment: 'NSE_EQ',
          trading_symbol: 'RELMASTER',
          name: 'HAND-WRITTEN FIXTURE',
          lot_size: 1,
          tick_size: 5.0,
          instrument_type: 'EQ',
        },
      ]),
    )
    // (before the import, nothing knows the name)
    const before = await bahi(['run', '--strategy', 'streak', '--instruments', 'RELMASTER'], env)
    expect(before.code).toBe(2)
    expect(before.stderr).toContain('unknown instrument(s) RELMASTER')
    const imported = await bahi(['import', master, '--json'], env, 60_000)
    expect(imported.code, imported.stderr).toBe(0)
    // when a paper session asks for RELMASTER, then it trades RELIANCE
    const s = await run(['--instruments', 'RELMASTER'])
    expect(s.ticks).toBeGreaterThan(0)
    const events = await readAll(s.journal)
    const configured = events.find((e) => e.type === 'StrategyConfigured')
    expect(configured?.type === 'StrategyConfigured' && configured.payload.instruments).toEqual([RELIANCE])
    // and its manifest keeps the name it was asked by, for the session's reports
    const manifest = events.find((e) => e.type === 'RunStarted')
    expect(manifest?.type === 'RunStarted' && manifest.payload.instrumentSymbols).toEqual({ [RELIANCE]: 'RELMASTER' })
  }, 90_000)

  it('an operator halts, resumes and switches off a running session through its operator channel', async () => {
    // given a paper session that runs until it is stopped (Ctrl-C), however slow the commands are on a loaded machine
    const dir = join(home, 'operated')
    const session = startBahi(
      ['run', '--strategy', 'streak', '--params', '{"bars":2,"qty":5}', '--instruments', 'RELIANCE'].concat([
        '--duration',
        '600',
        '--square-off',
        'off',
        '--out',
        dir,
        '--json',
      ]),
      env,
      180_000,
    )
    const control = join(dir, 'control.json')
    for (const t0 = Date.now(); !existsSync(control); await new Promise((r) => setTimeout(r, 100)))
      if (Date.now() - t0 > 30_000) throw new Error('the session never opened its operator channel')
    const op = (args: readonly string[]) => bahi([...args, '--json'], env)
    // when the operator engages the global kill switch: journalled, with what it caused
    const engaged = await op(['kill-switch', dir, 'engage', '--reason', 'test halt'])
    expect(engaged.code, engaged.stderr).toBe(0)
    expect(parseJsonOut<{ ok: boolean; events: string[] }>(engaged)).toMatchObject({ ok: true })
    expect(parseJsonOut<{ events: string[] }>(engaged).events[0]).toBe('KillSwitchEngaged')
    // then a second engage is refused by the session, naming the first; a target outside the session too
    const twice = await op(['kill-switch', dir, 'engage', '--reason', 'again'])
    expect(twice.code).toBe(1)
    expect(twice.stderr).toMatch(
      /refused by the session: the global kill switch is already engaged by an operator \(seq \d+: test halt\)/,
    )
    const elsewhere = await op([
      'kill-switch',
      dir,
      'engage',
      '--scope',
      'instrument',
      '--target',
      'TCS',
      '--reason',
      'x',
    ])
    expect(elsewhere.code).toBe(1)
    expect(elsewhere.stderr).toContain('an instrument kill switch needs the key of an instrument the session trades')
    // and releasing it, then switching the strategy off, are journalled as operator inputs
    const released = await op(['kill-switch', dir, 'release', '--reason', 'all clear'])
    expect(released.code, released.stderr).toBe(0)
    const off = await op(['strategy', dir, 'disable', 'streak.1', '--reason', 'enough for today'])
    expect(off.code, off.stderr).toBe(0)
    // (a few more market minutes after the switch-off, to show it stays off)
    await new Promise((r) => setTimeout(r, 1500))
    session.stop()
    const ended = await session.done
    expect(ended.code, ended.stderr).toBe(0)
    const s = parseJsonOut<RunSummary>(ended)
    expect(s.verify.divergences).toBe(0)
    const events = await readAll(dir)
    const byOperator = events.flatMap((e) =>
      (e.type === 'KillSwitchEngaged' || e.type === 'KillSwitchReleased') && e.payload.source === 'operator'
        ? [[e.type, e.payload.scope, e.payload.reason]]
        : [],
    )
    expect(byOperator).toEqual([
      ['KillSwitchEngaged', 'global', 'test halt'],
      ['KillSwitchReleased', 'global', 'all clear'],
    ])
    const reconfigured = events.filter((e) => e.type === 'StrategyConfigured').at(-1)
    expect(reconfigured?.type === 'StrategyConfigured' && reconfigured.payload).toMatchObject({
      strategyId: 'streak.1',
      enabled: false,
      reason: 'operator: enough for today',
    })
    // no signal after the strategy was switched off, and no order passed while the switch was engaged
    const offSeq = reconfigured!.seq
    expect(events.filter((e) => e.type === 'SignalEmitted' && e.seq > offSeq)).toEqual([])
    const [engagedSeq, releasedSeq] = events.flatMap((e) =>
      (e.type === 'KillSwitchEngaged' || e.type === 'KillSwitchReleased') && e.payload.source === 'operator'
        ? [e.seq]
        : [],
    )
    const submittedWhileHalted = events.filter(
      (e) => e.type === 'OrderSubmitted' && e.seq > engagedSeq! && e.seq < releasedSeq!,
    )
    expect(submittedWhileHalted).toEqual([])
    // (the strategy kept asking meanwhile: its orders were denied by the switch, by name)
    const deniedWhileHalted = events.filter(
      (e) => e.type === 'OrderDenied' && e.payload.rule === 'KillSwitch' && e.seq > engagedSeq! && e.seq < releasedSeq!,
    )
    expect(deniedWhileHalted.length).toBeGreaterThan(0)
    // and once the session has ended, its channel is gone and says so
    expect(existsSync(control)).toBe(false)
    const late = await op(['kill-switch', dir, 'engage', '--reason', 'late'])
    expect(late.code).toBe(1)
    expect(late.stderr).toContain(`no running session at ${dir}`)
  }, 200_000)

  it('live: orders are placed on the venue under our ids, and the position agrees with the venue', async () => {
    // As delivery, with a stop loss: both reach the journal's configuration, and the product reaches the venue.
    const s = await run(['--live', '--product', 'D', '--stop-loss', '2'])
    expect(s.mode).toBe('live')
    expect(existsSync(s.journal)).toBe(true)
    expect(s.ordersPlaced).toBeGreaterThan(0)
    expect(s.brokerErrors).toBe(0)
    expect(s.verify.divergences).toBe(0)
    // The portfolio stream was up, and its pushes made the session reconcile at once.
    expect(s.venueUpdates).toBeGreaterThan(0)
    const journalled = await readAll(s.journal)
    expect(
      journalled.some(
        (e) =>
          e.type === 'FeedStatusChanged' && e.payload.feed === 'upstox-portfolio' && e.payload.status === 'connected',
      ),
    ).toBe(true)
    const configured = journalled.find((e) => e.type === 'StrategyConfigured')
    expect(configured?.type === 'StrategyConfigured' && [configured.payload.product, configured.payload.exits]).toEqual(
      ['D', { squareOff: 'off', stopLossPct: 2 }],
    )
    const venueOrders = h.sandbox.orders.orderBook(h.sandbox.user.userId)
    expect(new Set(venueOrders.map((o) => o.product))).toEqual(new Set(['D']))
    expect(venueOrders).toHaveLength(s.ordersPlaced)
    for (const o of venueOrders) expect(o.tag).toMatch(/^live-\d{8}T\d{6}-[0-9a-f]{6}-\d+$/)
    // what the venue holds for RELIANCE is what the journal says we hold (fills polled back until the end)
    const venueNet = h.sandbox.orders
      .positions(h.sandbox.user.userId)
      .filter((p) => p.instrument_token === RELIANCE)
      .reduce((n, p) => n + Number(p.quantity), 0)
    expect(s.positions).toEqual([{ instrumentKey: RELIANCE, symbol: 'RELIANCE', qty: venueNet }])
  }, 90_000)

  // Last: it expires the token every other test logged in with.
  it('ends with exit 1 and says why when the token stops working mid-session', async () => {
    const running = bahi(
      ['run', '--strategy', 'streak', '--instruments', 'RELIANCE', '--duration', '40', '--json'],
      env,
      60_000,
    )
    for (let i = 0; i < 400 && h.sandbox.openSockets().market === 0; i++) await new Promise((r) => setTimeout(r, 25))
    expect(h.sandbox.openSockets().market).toBe(1)
    h.sandbox.expireTokens()
    const r = await running
    expect(r.code).toBe(1)
    const s = parseJsonOut<RunSummary & { feedFailure?: string; reason: string }>(r)
    expect(s.reason).toBe('feed closed')
    expect(s.feedFailure).toMatch(/unauthorized|expired/)
    expect(s.verify.divergences).toBe(0)
  }, 90_000)
})

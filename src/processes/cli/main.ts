#!/usr/bin/env node
import { parseArgs } from 'node:util'
import pino from 'pino'
import { type CliIo, type ExitCode, processIo } from './cliOutput.js'
import { codeVersion } from './codeVersion.js'
import { type BacktestOptions, commands } from './commands/index.js'
import { packagedSymbolsPath, resolveHome } from './home.js'

// The `bahi` command line: the composition root for every command. It alone reads argv and the environment and
// creates the root logger (JSON lines on stderr; level from BAHI_LOG_LEVEL, default warn). Each command's module is
// loaded only when that command runs (see commands/index.ts).

const USAGE = `usage: bahi <command> [options]

commands:
  demo                          backtest the example strategy on the seeded synthetic NSE market (what npm start runs)
      [--days N] [--seed N] [--from YYYY-MM-DD] [--capital INR]
  backtest                      run a strategy over historical bars into a journal and a report
      --strategy KIND [--params JSON] --instruments A,B --from D --to D --out DIR
      [--fill-model next-open|touch] [--fees zero|upstox] [--slippage TICKS] [--square-off HH:MM|off]
      [--stop-loss PCT] [--take-profit PCT] [--trailing-stop PCT] [--resting-exits] [--participation SHARE]
      [--latency MS] [--fill-probability P] [--limits JSON] [--product I|D] [--capital INR] [--seed N] [--data store|ticks|synthetic]
      [--timeframe 1m|3m|5m|15m|30m|1h|1d] [--bar-source resample|stored]
      (default: 1-minute bars of the market store under --home; ticks: its stored ticks, with the bars
      the live session builds from them)
  sweep                         backtests over a grid of params on every core, ranked
      --grid '{"fast":[5,10],"slow":[20,30]}' [--rank METRIC] [--workers N] + the backtest flags
  import <path>                 import market data files (or a directory of them) into the market store
      [--format F] [--instrument KEY] [--policy reject|skip|flag] [--bars]   (--bars: tick files also give 1m bars)
      [--mapping JSON|FILE]     generic CSV columns (implies --format generic-csv; see docs/market-data.md)
      [--timeframe TF]          Upstox candle files: their interval, instead of reading it from the candles
  data coverage [--instrument KEY|SYMBOL]   instruments, date ranges, bar and tick counts in the market store
  data gaps [--instrument KEY|SYMBOL] [--from D] [--to D] [--tick-gap SECONDS]
                                against the NSE calendar: missing days and minutes of the 1-minute bars, missing
                                days of the daily bars and ticks, holes in a session's ticks (default over 60 s)
  data seal [--before D]        seal finished days into Parquet (<home>/market/sealed) for reader processes
  replay <journal>              rebuild state from a journal
      [--verify]                re-derive every decision; report "N events, 0 divergences" or the first divergence
      [--until SEQ|TIME]        stop at a seq, or at a time (ISO with offset, or "YYYY-MM-DD HH:MM" IST)
      [--snapshot]              write a snapshot of the rebuilt state (later replays fold only the tail)
      [--no-snapshots]          ignore stored snapshots and fold from seq 1
  explain <journal> <seq|orderId>   the chain of causes of an event or order
  report <journal> [--out DIR]  the backtest report (report.json, report.html) of any journal: a backtest, or a
                                paper or live session of bahi run (default DIR: <journal>-report)
  login                         print the Upstox authorization URL (needs UPSTOX_CLIENT_ID, UPSTOX_REDIRECT_URI)
      [--code C]                exchange the code from the redirect for a token, stored encrypted under <home>/upstox
                                (a code starting with '-': --code=C)
      [--status]                whether a token is stored and when it expires (03:30 IST the day after issue)
  fetch-history --instrument KEY --from D --to D [--interval 1minute|3minute|5minute|15minute|30minute|1hour|day]
                                page through Upstox historical candles into the market store (UPSTOX_BASE_URL)
  run --strategy KIND [--params JSON] --instruments A,B   paper trading on the Upstox market feed (UPSTOX_BASE_URL,
                                a token from bahi login); journal under <home>/journals, verified at the end
      [--live]                  place real orders through the Upstox adapter instead of the simulated broker
      [--feed-mode full|ltpc] [--square-off HH:MM|off] [--stop-loss PCT] [--take-profit PCT] [--trailing-stop PCT]
      [--resting-exits] [--product I|D] [--capital INR] [--limits JSON] [--duration SECONDS] [--out DIR]
  kill-switch <journal> engage|release [--scope global|strategy|instrument] [--target ID|KEY|SYMBOL] --reason TEXT
                                halt (or resume) the running session that writes that journal (bahi run), through
                                its operator channel; an operator switch halts exits too
  strategy <journal> enable|disable <strategyId> --reason TEXT
                                switch one of a running session's strategies off or on
  sandbox [--port P] [--speed X] [--seed N] [--from YYYY-MM-DD] [--data synthetic|store|PATH]
                                an Upstox-compatible local exchange on 127.0.0.1 (REST, market feed, portfolio
                                stream) replaying the synthetic market, the sealed market store, or a file/directory
                                of bars; prints credentials and a ready token

common options:
  --home DIR    data directory (default: $BAHI_HOME, else ~/.bahi)
  --json        print one JSON object on stdout instead of text
  --version, --help`

export const runCli = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ExitCode> => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (e) {
    io.err(`bahi: ${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values: v, positionals } = parsed
  if (v.version) {
    io.out(codeVersion())
    return 0
  }
  const [command, ...rest] = positionals
  if (v.help || command === undefined || command === 'help') {
    // Asked for: usage on stdout, exit 0. No command at all is bad usage: on stderr (stdout stays empty), exit 2.
    const missing = command === undefined && !v.help
    ;(missing ? io.err : io.out)(USAGE)
    return missing ? 2 : 0
  }
  const json = v.json === true
  const log = pino({ level: env.BAHI_LOG_LEVEL ?? 'warn', base: { cmd: command } }, pino.destination(2))
  const int = (name: string, s: string | undefined, def: number): number | undefined => {
    if (s === undefined) return def
    const n = Number(s)
    if (!Number.isSafeInteger(n) || n <= 0) {
      io.err(`bahi ${command}: --${name} must be a positive whole number, got "${s}"`)
      return undefined
    }
    return n
  }
  /** The flags `backtest` and `sweep` share, checked; undefined when one is bad (the reason is printed). */
  const backtestFlags = (): BacktestOptions | undefined => {
    const seed = int('seed', v.seed, 42)
    const capitalInr = int('capital', v.capital, 1_000_000)
    const slippageTicks = v.slippage === undefined ? 0 : Number(v.slippage)
    if (seed === undefined || capitalInr === undefined) return undefined
    if (!Number.isSafeInteger(slippageTicks) || slippageTicks < 0) {
      io.err(`bahi ${command}: --slippage must be a whole number of ticks, got "${v.slippage}"`)
      return undefined
    }
    return {
      json,
      home: resolveHome(v.home, env),
      data: v.data,
      timeframe: v.timeframe,
      strategy: v.strategy,
      params: v.params,
      instruments: v.instruments,
      from: v.from,
      to: v.to,
      fillModel: v['fill-model'],
      fees: v.fees,
      slippageTicks,
      squareOff: v['square-off'],
      stopLoss: v['stop-loss'],
      takeProfit: v['take-profit'],
      trailingStop: v['trailing-stop'],
      restingExits: v['resting-exits'] === true,
      participation: v.participation,
      latency: v.latency,
      fillProbability: v['fill-probability'],
      barSource: v['bar-source'],
      product: v.product,
      limits: v.limits,
      capitalInr,
      seed,
      out: v.out,
    }
  }
  switch (command) {
    case 'demo': {
      const days = int('days', v.days, 20)
      const seed = int('seed', v.seed, 42)
      const capitalInr = int('capital', v.capital, 1_000_000)
      if (days === undefined || seed === undefined || capitalInr === undefined) return 2
      return (await commands.demo()).demoCommand(
        { home: resolveHome(v.home, env), json, days, seed, from: v.from ?? '2025-01-01', capitalInr },
        io,
        log,
      )
    }
    case 'backtest': {
      const flags = backtestFlags()
      return flags === undefined ? 2 : (await commands.backtest()).backtestCommand(flags, io, log)
    }
    case 'sweep': {
      const flags = backtestFlags()
      const workers = v.workers === undefined ? undefined : int('workers', v.workers, 1)
      if (flags === undefined || (v.workers !== undefined && workers === undefined)) return 2
      return (await commands.sweep()).sweepCommand(
        { ...flags, grid: v.grid, rank: v.rank ?? 'netPnl', workers },
        io,
        log,
      )
    }
    case 'import': {
      const [path] = rest
      if (path === undefined || rest.length > 1) {
        io.err(`bahi import: expected one file or directory\n\n${USAGE}`)
        return 2
      }
      return (await commands.import()).importCommand(
        {
          path,
          home: resolveHome(v.home, env),
          json,
          ...(v.format === undefined ? {} : { format: v.format }),
          ...(v.instrument === undefined ? {} : { instrument: v.instrument }),
          ...(v.policy === undefined ? {} : { policy: v.policy }),
          ...(v.bars === true ? { bars: true } : {}),
          ...(v.mapping === undefined ? {} : { mapping: v.mapping }),
          ...(v.timeframe === undefined ? {} : { timeframe: v.timeframe }),
        },
        io,
        log,
      )
    }
    case 'data': {
      const [sub, ...more] = rest
      const home = resolveHome(v.home, env)
      if ((sub === 'coverage' || sub === 'gaps' || sub === 'seal') && more.length === 0) {
        // A flag the subcommand does not read is refused, not ignored (`data coverage --from D` filters nothing).
        const given = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        const unexpected = (await commands.data()).unexpectedDataFlags(sub, given)
        if (unexpected !== undefined) {
          io.err(unexpected)
          return 2
        }
      }
      if (sub === 'coverage' && more.length === 0)
        return (await commands.data()).dataCoverageCommand(
          { home, json, ...(v.instrument === undefined ? {} : { instrument: v.instrument }) },
          io,
          log,
        )
      if (sub === 'gaps' && more.length === 0) {
        return (await commands.data()).dataGapsCommand(
          {
            home,
            json,
            ...(v.instrument === undefined ? {} : { instrument: v.instrument }),
            ...(v.from === undefined ? {} : { from: v.from }),
            ...(v.to === undefined ? {} : { to: v.to }),
            ...(v['tick-gap'] === undefined ? {} : { tickGap: v['tick-gap'] }),
          },
          io,
          log,
        )
      }
      if (sub === 'seal' && more.length === 0) {
        return (await commands.data()).dataSealCommand(
          { home, json, ...(v.before === undefined ? {} : { before: v.before }) },
          io,
          log,
        )
      }
      io.err(`bahi data: expected "coverage", "gaps" or "seal"\n\n${USAGE}`)
      return 2
    }
    case 'login':
      return (await commands.login()).loginCommand(
        {
          home: resolveHome(v.home, env),
          json,
          status: v.status === true,
          ...(v.code === undefined ? {} : { code: v.code }),
        },
        io,
        log,
        env,
      )
    case 'fetch-history':
      return (await commands.fetchHistory()).fetchHistoryCommand(
        {
          home: resolveHome(v.home, env),
          json,
          ...(v.instrument === undefined ? {} : { instrument: v.instrument }),
          ...(v.from === undefined ? {} : { from: v.from }),
          ...(v.to === undefined ? {} : { to: v.to }),
          ...(v.interval === undefined ? {} : { interval: v.interval }),
        },
        io,
        log,
        env,
      )
    case 'run': {
      const capitalInr = int('capital', v.capital, 1_000_000)
      if (capitalInr === undefined) return 2
      const json_ = (flag: string, text: string | undefined): { ok: true; value: unknown } | { ok: false } => {
        if (text === undefined) return { ok: true, value: undefined }
        try {
          return { ok: true, value: JSON.parse(text) }
        } catch (e) {
          io.err(`bahi run: --${flag} is not JSON: ${(e as Error).message}`)
          return { ok: false }
        }
      }
      const params = json_('params', v.params)
      const limits = json_('limits', v.limits)
      if (!params.ok || !limits.ok) return 2
      const duration = v.duration === undefined ? undefined : Number(v.duration)
      return (await commands.run()).runCommand(
        {
          home: resolveHome(v.home, env),
          json,
          codeVersion: codeVersion(),
          live: v.live === true,
          capitalInr,
          symbolsPath: packagedSymbolsPath(),
          ...(v.strategy === undefined ? {} : { strategy: v.strategy }),
          ...(params.value === undefined ? {} : { params: params.value }),
          ...(limits.value === undefined ? {} : { limits: limits.value }),
          ...(v.instruments === undefined ? {} : { instruments: v.instruments }),
          ...(v['feed-mode'] === undefined ? {} : { feedMode: v['feed-mode'] }),
          ...(v['square-off'] === undefined ? {} : { squareOff: v['square-off'] }),
          ...(v['stop-loss'] === undefined ? {} : { stopLoss: v['stop-loss'] }),
          ...(v['take-profit'] === undefined ? {} : { takeProfit: v['take-profit'] }),
          ...(v['trailing-stop'] === undefined ? {} : { trailingStop: v['trailing-stop'] }),
          ...(v['resting-exits'] === true ? { restingExits: true } : {}),
          ...(v.product === undefined ? {} : { product: v.product }),
          ...(duration === undefined ? {} : { durationSeconds: duration }),
          ...(v.out === undefined ? {} : { out: v.out }),
        },
        io,
        log,
        env,
      )
    }
    case 'sandbox': {
      const port = v.port === undefined ? 0 : Number(v.port)
      const speed = v.speed === undefined ? undefined : Number(v.speed)
      const seed = int('seed', v.seed, 42)
      if (seed === undefined) return 2
      return (await commands.sandbox()).sandboxCommand(
        {
          port,
          json,
          seed,
          ...(speed === undefined ? {} : { speed }),
          ...(v.from === undefined ? {} : { from: v.from }),
          ...(v.data === undefined ? {} : { data: v.data, home: resolveHome(v.home, env) }),
        },
        io,
        log,
      )
    }
    case 'replay': {
      const [journal] = rest
      if (journal === undefined || rest.length > 1) {
        io.err(`bahi replay: expected one journal path\n\n${USAGE}`)
        return 2
      }
      return (await commands.replay()).replayCommand(
        {
          journal,
          verify: v.verify === true,
          until: v.until,
          json,
          useSnapshots: v['no-snapshots'] !== true,
          writeSnapshot: v.snapshot === true,
        },
        io,
      )
    }
    case 'kill-switch':
    case 'strategy': {
      const [journal, action, strategyId, ...more] = rest
      if (more.length > 0 || (command === 'kill-switch' && strategyId !== undefined)) {
        io.err(`bahi ${command}: unexpected ${[strategyId, ...more].filter(Boolean).join(' ')}\n\n${USAGE}`)
        return 2
      }
      return (await commands.operate()).operateCommand(
        command,
        { journal, action, strategyId, scope: v.scope, target: v.target, reason: v.reason, json },
        io,
      )
    }
    case 'explain': {
      const [journal, target] = rest
      if (journal === undefined || target === undefined || rest.length > 2) {
        io.err(`bahi explain: expected a journal path and a seq or order id\n\n${USAGE}`)
        return 2
      }
      return (await commands.explain()).explainCommand(journal, target, json, io)
    }
    case 'report': {
      const [journal] = rest
      if (journal === undefined || rest.length > 1) {
        io.err(`bahi report: expected one journal path\n\n${USAGE}`)
        return 2
      }
      return (await commands.report()).reportCommand({ journal, out: v.out, json }, io)
    }
    default:
      io.err(`bahi: unknown command "${command}"\n\n${USAGE}`)
      return 2
  }
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      home: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      verify: { type: 'boolean' },
      until: { type: 'string' },
      snapshot: { type: 'boolean' },
      'no-snapshots': { type: 'boolean' },
      days: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      capital: { type: 'string' },
      strategy: { type: 'string' },
      params: { type: 'string' },
      instruments: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      'fill-model': { type: 'string' },
      fees: { type: 'string' },
      slippage: { type: 'string' },
      'square-off': { type: 'string' },
      'stop-loss': { type: 'string' },
      'take-profit': { type: 'string' },
      'trailing-stop': { type: 'string' },
      'resting-exits': { type: 'boolean' },
      participation: { type: 'string' },
      latency: { type: 'string' },
      'fill-probability': { type: 'string' },
      scope: { type: 'string' },
      target: { type: 'string' },
      reason: { type: 'string' },
      'bar-source': { type: 'string' },
      product: { type: 'string' },
      port: { type: 'string' },
      grid: { type: 'string' },
      data: { type: 'string' },
      before: { type: 'string' },
      timeframe: { type: 'string' },
      format: { type: 'string' },
      instrument: { type: 'string' },
      policy: { type: 'string' },
      mapping: { type: 'string' },
      bars: { type: 'boolean' },
      rank: { type: 'string' },
      workers: { type: 'string' },
      speed: { type: 'string' },
      code: { type: 'string' },
      status: { type: 'boolean' },
      interval: { type: 'string' },
      live: { type: 'boolean' },
      'feed-mode': { type: 'string' },
      limits: { type: 'string' },
      duration: { type: 'string' },
      'tick-gap': { type: 'string' },
    },
  })

// `bahi replay ... | head` closes our stdout early: that is the reader being done, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

runCli(process.argv.slice(2), processIo, process.env).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`bahi: internal error: ${(e as Error).stack ?? String(e)}\n`)
    process.exitCode = 70
  },
)

// The commands of `bahi`. Each command's module is loaded when that command runs (`commands.backtest()` and so on):
// loading them all up front (the Upstox SDK, DuckDB, ZeroMQ, SQLite) took 0.5-0.7 s before any command started,
// and `bahi --version` paid it too. Types are free to import.

export type { BacktestOptions } from './backtestCommand.js'
export type { DataCoverageOptions, DataGapsOptions, DataSealOptions } from './dataCommand.js'
export type { DemoOptions } from './demoCommand.js'
export type { FetchHistoryOptions } from './fetchHistoryCommand.js'
export type { ImportOptions } from './importCommand.js'
export type { LoginOptions } from './loginCommand.js'
export type { OperateOptions } from './operateCommand.js'
export type { ReplayOptions } from './replayCommand.js'
export type { ReportOptions } from './reportCommand.js'
export type { RunOptions } from './runCommand.js'
export type { SandboxOptions } from './sandboxCommand.js'
export type { SweepOptions } from './sweepCommand.js'

export const commands = {
  backtest: () => import('./backtestCommand.js'),
  data: () => import('./dataCommand.js'),
  demo: () => import('./demoCommand.js'),
  explain: () => import('./explainCommand.js'),
  fetchHistory: () => import('./fetchHistoryCommand.js'),
  import: () => import('./importCommand.js'),
  login: () => import('./loginCommand.js'),
  operate: () => import('./operateCommand.js'),
  replay: () => import('./replayCommand.js'),
  report: () => import('./reportCommand.js'),
  run: () => import('./runCommand.js'),
  sandbox: () => import('./sandboxCommand.js'),
  sweep: () => import('./sweepCommand.js'),
} as const

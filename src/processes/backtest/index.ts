export * from './backtestJob.js'
export * from './buildReport.js'
export * from './runBacktest.js'
export * from './tickReplay.js'

export * from './buildReport.js'
export * from './runBacktest.js'

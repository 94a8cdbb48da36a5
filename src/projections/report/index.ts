export * from './backtestReport.js'
export * from './performanceMetrics.js'

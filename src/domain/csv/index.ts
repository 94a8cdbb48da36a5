export * from './splitCsvLine.js'

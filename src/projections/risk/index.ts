export * from './riskState.js'

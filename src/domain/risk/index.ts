export * from './riskLimits.js'

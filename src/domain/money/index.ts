export * from './money.js'
export * from './parsePaise.js'

export * from './positions.js'

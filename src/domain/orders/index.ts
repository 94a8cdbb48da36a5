export * from './orderStatus.js'

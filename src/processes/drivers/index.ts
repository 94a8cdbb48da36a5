export * from './batchDriver.js'
export * from './cascade.js'
export * from './liveDriver.js'

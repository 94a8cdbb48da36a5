export * from './describeEvent.js'
export * from './explainEvent.js'
export * from './rebuildState.js'
export * from './verifyJournal.js'

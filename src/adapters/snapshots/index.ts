export * from './snapshotStore.js'

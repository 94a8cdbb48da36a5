export * from './runSweep.js'

export * from './equityCharges.js'

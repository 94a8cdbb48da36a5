export * from './istTime.js'

export * from './tradingCalendar.js'

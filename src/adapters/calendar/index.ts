export * from './loadCalendar.js'

export * from './fileJournal.js'
export * from './journal.js'
export * from './journalErrors.js'

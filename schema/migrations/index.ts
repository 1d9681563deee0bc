import type { Migration } from 'kysely'
import * as core from './0001_core.ts'
import * as documents from './0002_documents.ts'
import * as access from './0003_access.ts'
import * as history from './0004_history.ts'
import * as journalAppend from './0005_journal_append.ts'
import * as stateStorage from './0006_state_storage.ts'

/** Ordered migrations; names sort in application order. Add new ones at the end, never edit applied ones. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_core': core,
  '0002_documents': documents,
  '0003_access': access,
  '0004_history': history,
  '0005_journal_append': journalAppend,
  '0006_state_storage': stateStorage,
})

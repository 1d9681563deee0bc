import { MongoClient } from 'mongodb'
import type { CommentStore, TemplateStore, VersionStore } from '../ports.ts'
import { MongoCommentStore } from './comment-store.ts'
import { ensureHistoryIndexes } from './history-collections.ts'
import { MongoTemplateStore } from './template-store.ts'
import { MongoVersionStore } from './version-store.ts'

/**
 * The three history stores on MongoDB (a replica set: versions and comments use transactions). Connects a client
 * of their own (close() closes it) and creates the history indexes idempotently before returning.
 */
export async function connectMongoHistoryStores(
  url: string,
  dbName: string,
): Promise<{
  versions: VersionStore
  templates: TemplateStore
  comments: CommentStore
  close(): Promise<void>
}> {
  const client = new MongoClient(url)
  await client.connect()
  try {
    await ensureHistoryIndexes(client.db(dbName))
  } catch (error) {
    await client.close().catch((closeError: unknown) => {
      throw new AggregateError(
        [error, closeError],
        'ensuring history indexes failed, then closing the client failed',
      )
    })
    throw error
  }
  return {
    versions: new MongoVersionStore(client, dbName),
    templates: new MongoTemplateStore(client, dbName),
    comments: new MongoCommentStore(client, dbName),
    close: () => client.close(),
  }
}

import type { ClientSession, MongoClient, TransactionOptions } from 'mongodb'

/**
 * Snapshot reads and majority commits on the primary. Multi-document transactions need a replica set (or a
 * sharded cluster): on a standalone mongod every call through here fails.
 */
export const TRANSACTION_OPTIONS: Readonly<TransactionOptions> = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
}

/**
 * Runs `work` in one transaction. The driver retries the whole callback on transient errors (write conflicts with
 * a concurrent transaction, elections), so `work` must be idempotent up to its reads: build every value it writes
 * and returns inside the callback, and let every error propagate (a caught error makes the driver retry blindly).
 */
export async function inTransaction<T>(
  client: MongoClient,
  work: (session: ClientSession) => Promise<T>,
): Promise<T> {
  const session = client.startSession()
  try {
    return await session.withTransaction(() => work(session), { ...TRANSACTION_OPTIONS })
  } finally {
    await session.endSession()
  }
}

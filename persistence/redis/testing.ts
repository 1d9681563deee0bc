import { Redis } from 'ioredis'

const SCAN_BATCH = 500

/** Test cleanup: deletes every key under `prefix` (suites use a unique prefix, so this only touches their keys). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  if (prefix.length === 0) throw new RangeError('refusing to delete keys without a prefix')
  const client = new Redis(url, { lazyConnect: true })
  await client.connect()
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH)
      cursor = next
      if (keys.length > 0) await client.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    await client.quit()
  }
}

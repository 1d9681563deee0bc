/** The servers under test: Jabiru (journal on and off) and the peers. Each result row names one. */
import type { Flavor } from '../protocol/wire.ts'

export type ServerKind = 'jabiru' | 'hocuspocus' | 'reference' | 'relay'

export interface ServerSpec {
  /** Row name in results. */
  readonly name: string
  readonly kind: ServerKind
  readonly flavor: Flavor
  /** Jabiru only: the bench-only switch BENCH_DISABLE_JOURNAL=1 when false. */
  readonly journal: boolean
  /** Jabiru only: 'postgres' runs it on a fresh PostgreSQL database (DATABASE_URL) instead of embedded PGlite. */
  readonly database?: 'pglite' | 'postgres'
}

export const JABIRU: ServerSpec = { name: 'jabiru', kind: 'jabiru', flavor: 'yws', journal: true }
export const JABIRU_NO_JOURNAL: ServerSpec = {
  name: 'jabiru (journal off)',
  kind: 'jabiru',
  flavor: 'yws',
  journal: false,
}
/** The production configuration: the journal and metadata in PostgreSQL, out of the server's process. */
export const JABIRU_POSTGRES: ServerSpec = {
  name: 'jabiru (PostgreSQL)',
  kind: 'jabiru',
  flavor: 'yws',
  journal: true,
  database: 'postgres',
}
/**
 * A second Jabiru, identical to the first: the A/A control of the full profile's S3 and S4. Two copies of one
 * server show how far apart the instrument puts equal tails in one run, the yardstick for reading a p99 ratio
 * against a peer. Listed last in a scenario, so that over two runs it and JABIRU each go first once
 * (server-order.ts).
 */
export const JABIRU_TWIN: ServerSpec = {
  name: 'jabiru (A/A twin)',
  kind: 'jabiru',
  flavor: 'yws',
  journal: true,
}
export const HOCUSPOCUS: ServerSpec = {
  name: 'hocuspocus 3.4.4',
  kind: 'hocuspocus',
  flavor: 'hocuspocus',
  journal: false,
}
export const REFERENCE: ServerSpec = {
  name: 'y-websocket 1.5.4 reference',
  kind: 'reference',
  flavor: 'yws',
  journal: false,
}
export const RELAY: ServerSpec = { name: 'raw ws relay', kind: 'relay', flavor: 'yws', journal: false }

export const PEERS: readonly ServerSpec[] = [HOCUSPOCUS, REFERENCE, RELAY]

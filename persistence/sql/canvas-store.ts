import { randomBytes } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Canvas, CanvasVisibility, Database, ProjectRole, User } from '../../schema/database.ts'
import { effectiveCanvasRole } from './metadata-store.ts'

/** Bytes of randomness in a public link token (256 bits, like session tokens). */
const LINK_TOKEN_BYTES = 32

export interface CanvasWithRole {
  readonly canvas: Canvas
  readonly role: ProjectRole
}

export interface CanvasGrant {
  readonly user_id: string
  readonly role: ProjectRole
  readonly granted_by: string | null
  readonly granted_at: Date
}

export interface CanvasSharing {
  readonly visibility: CanvasVisibility
  /** The public link's secret, or null when the link is off. */
  readonly publicLinkToken: string | null
  readonly permissions: readonly CanvasGrant[]
}

export interface SharingUpdate {
  readonly visibility: CanvasVisibility
  /** true keeps the current link (or creates one); false removes it, invalidating the old token. */
  readonly publicLink: boolean
  /** The complete new set of grants: grants of users not listed are removed. */
  readonly permissions: readonly { readonly userId: string; readonly role: ProjectRole }[]
  readonly grantedBy: string
}

/** Why a canvas is not reachable (or that it is). */
export type CanvasState = 'live' | 'deleted' | 'archived' | 'missing'

/**
 * Canvas metadata writes, listing and sharing. Callers authorize first (MetadataStore.canvasAccess or the project
 * role), so methods here take ids that are known to belong to the caller's organization.
 */
export class CanvasStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The project's live canvases with the user's role on each; `projectRole` is the user's role on the project. */
  async listForProject(
    user: Pick<User, 'id' | 'role'>,
    projectId: string,
    projectRole: ProjectRole,
  ): Promise<CanvasWithRole[]> {
    const rows = await this.db
      .selectFrom('canvases as c')
      .leftJoin('canvas_permissions as g', (join) =>
        join.onRef('g.canvas_id', '=', 'c.id').on('g.user_id', '=', user.id),
      )
      .selectAll('c')
      .select('g.role as grant_role')
      .where('c.project_id', '=', projectId)
      .where('c.deleted_at', 'is', null)
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id')
      .execute()
    return rows.map(({ grant_role, ...canvas }) => ({
      canvas,
      // Same rule as canvasAccess; a project member's role is never null, so neither is this.
      role:
        effectiveCanvasRole({
          sameOrganization: true,
          organizationAdmin: user.role === 'admin',
          memberRole: projectRole,
          grantRole: grant_role,
          visibility: canvas.visibility,
          publicLink: false,
        }) ?? projectRole,
    }))
  }

  update(
    canvasId: string,
    patch: { readonly name?: string; readonly description?: string | null },
  ): Promise<Canvas | undefined> {
    return this.db
      .updateTable('canvases')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', canvasId)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
  }

  /** Soft delete (retention keeps the row); undefined when already deleted. */
  softDelete(canvasId: string): Promise<Canvas | undefined> {
    const now = new Date()
    return this.db
      .updateTable('canvases')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', canvasId)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
  }

  async state(canvasId: string): Promise<CanvasState> {
    const row = await this.db
      .selectFrom('canvases as c')
      .innerJoin('projects as p', 'p.id', 'c.project_id')
      .select(['c.deleted_at', 'p.is_archived'])
      .where('c.id', '=', canvasId)
      .executeTakeFirst()
    if (row === undefined) return 'missing'
    if (row.deleted_at !== null) return 'deleted'
    return row.is_archived ? 'archived' : 'live'
  }

  sharing(canvasId: string): Promise<CanvasSharing> {
    return readSharing(this.db, canvasId)
  }

  /** Replaces visibility, public link and the whole grant set in one transaction; returns the new sharing. */
  replaceSharing(canvasId: string, update: SharingUpdate): Promise<CanvasSharing> {
    return this.db.transaction().execute(async (trx) => {
      // Row lock: two concurrent updates cannot both create a link token or interleave their grant sets.
      const current = await trx
        .selectFrom('canvases')
        .select('public_link_token')
        .where('id', '=', canvasId)
        .forUpdate()
        .executeTakeFirstOrThrow()
      const token = update.publicLink
        ? (current.public_link_token ?? randomBytes(LINK_TOKEN_BYTES).toString('base64url'))
        : null
      await trx
        .updateTable('canvases')
        .set({ visibility: update.visibility, public_link_token: token, updated_at: new Date() })
        .where('id', '=', canvasId)
        .execute()
      const keep = update.permissions.map((permission) => permission.userId)
      let removal = trx.deleteFrom('canvas_permissions').where('canvas_id', '=', canvasId)
      if (keep.length > 0) removal = removal.where('user_id', 'not in', keep)
      await removal.execute()
      if (update.permissions.length > 0) {
        await trx
          .insertInto('canvas_permissions')
          .values(
            update.permissions.map((permission) => ({
              canvas_id: canvasId,
              user_id: permission.userId,
              role: permission.role,
              granted_by: update.grantedBy,
            })),
          )
          // An unchanged grant keeps who granted it and when; a changed role is a new grant.
          .onConflict((conflict) =>
            conflict
              .columns(['canvas_id', 'user_id'])
              .doUpdateSet((eb) => ({
                role: eb.ref('excluded.role'),
                granted_by: eb.ref('excluded.granted_by'),
                granted_at: new Date(),
              }))
              .where((eb) => eb('canvas_permissions.role', '<>', eb.ref('excluded.role'))),
          )
          .execute()
      }
      return readSharing(trx, canvasId)
    })
  }
}

async function readSharing(db: Kysely<Database> | Transaction<Database>, canvasId: string) {
  const canvas = await db
    .selectFrom('canvases')
    .select(['visibility', 'public_link_token'])
    .where('id', '=', canvasId)
    .executeTakeFirstOrThrow()
  const permissions = await db
    .selectFrom('canvas_permissions')
    .select(['user_id', 'role', 'granted_by', 'granted_at'])
    .where('canvas_id', '=', canvasId)
    .orderBy('granted_at')
    .orderBy('user_id')
    .execute()
  return { visibility: canvas.visibility, publicLinkToken: canvas.public_link_token, permissions }
}

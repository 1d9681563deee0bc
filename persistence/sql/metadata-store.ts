import { createHash, timingSafeEqual } from 'node:crypto'
import { type Kysely, sql, type Transaction } from 'kysely'
import type {
  Canvas,
  CanvasVisibility,
  Database,
  Organization,
  Project,
  ProjectRole,
  User,
} from '../../schema/database.ts'
import { BatchedReads } from './batched-reads.ts'

/**
 * Metadata (organizations, users, projects, members, canvases) through Kysely. PGlite and PostgreSQL share this
 * code: for metadata the embedded/real split is the Kysely dialect (persistence/sql/connect.ts), as in Kysely itself.
 * Every read that takes an id from a request is scoped by the caller's organization.
 */

export class UniqueViolation extends Error {
  override readonly name = 'UniqueViolation'
  constructor(readonly field: string) {
    super(`${field} is already taken`)
  }
}

const ROLE_RANK: Readonly<Record<ProjectRole, number>> = { viewer: 1, editor: 2, admin: 3 }

export function strongestRole(roles: readonly (ProjectRole | null)[]): ProjectRole | null {
  let best: ProjectRole | null = null
  for (const role of roles) {
    if (role !== null && (best === null || ROLE_RANK[role] > ROLE_RANK[best])) best = role
  }
  return best
}

export function roleAtLeast(role: ProjectRole, needed: ProjectRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed]
}

/** What decides a user's role on one canvas (see effectiveCanvasRole). */
export interface CanvasRoleFacts {
  /** The canvas's project belongs to the user's organization. */
  readonly sameOrganization: boolean
  /** The user is an admin of their organization. */
  readonly organizationAdmin: boolean
  /** The user's project membership role, if any. */
  readonly memberRole: ProjectRole | null
  /** The user's grant on this canvas (canvas_permissions), if any. */
  readonly grantRole: ProjectRole | null
  readonly visibility: CanvasVisibility
  /** The caller presented the canvas's current public link token. */
  readonly publicLink: boolean
}

/**
 * THE effective-role rule: the strongest of
 * - admin, for admins of the canvas's organization;
 * - the project membership role and the canvas grant (same organization only);
 * - viewer, for everyone in the organization when the canvas is `team`;
 * - viewer, for any signed-in user when the canvas is `public` or they present its public link token.
 * null means the user must not learn that the canvas exists.
 */
export function effectiveCanvasRole(facts: CanvasRoleFacts): ProjectRole | null {
  const own = facts.sameOrganization
  return strongestRole([
    own && facts.organizationAdmin ? 'admin' : null,
    own ? facts.memberRole : null,
    own ? facts.grantRole : null,
    own && facts.visibility === 'team' ? 'viewer' : null,
    facts.visibility === 'public' || facts.publicLink ? 'viewer' : null,
  ])
}

/** Constant-time comparison of a presented secret with the stored one (hashing equalizes lengths). */
function sameSecret(presented: string, stored: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(presented), digest(stored))
}

export interface CanvasAccess {
  readonly canvas: Canvas
  readonly organizationId: string
  readonly role: ProjectRole
}

/** Postgres unique_violation; the constraint name tells which field. */
function asUniqueViolation(error: unknown): UniqueViolation | null {
  if (typeof error !== 'object' || error === null || !('code' in error) || error.code !== '23505') return null
  const detail = 'constraint' in error && typeof error.constraint === 'string' ? error.constraint : ''
  const message = error instanceof Error ? error.message : ''
  const text = `${detail} ${message}`
  for (const field of ['email', 'username', 'slug']) {
    if (text.includes(field)) return new UniqueViolation(field)
  }
  return new UniqueViolation('value')
}

export async function rethrowUnique<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw asUniqueViolation(error) ?? error
  }
}

export class MetadataStore {
  /**
   * Canvas access rows of a connect storm's upgrades, read together: one query per user per turn of the event loop
   * (the rows depend on the user and the canvas only; the role and link token are applied per caller).
   */
  private readonly accessRows = new BatchedReads<AccessRow | null>((keys) => this.readAccessRows(keys), null)

  constructor(readonly db: Kysely<Database>) {}

  private accessRowsQuery(userId: string, canvasIds: readonly string[]) {
    return this.db
      .selectFrom('canvases as c')
      .innerJoin('projects as p', 'p.id', 'c.project_id')
      .leftJoin('project_members as m', (join) =>
        join.onRef('m.project_id', '=', 'c.project_id').on('m.user_id', '=', userId),
      )
      .leftJoin('canvas_permissions as g', (join) =>
        join.onRef('g.canvas_id', '=', 'c.id').on('g.user_id', '=', userId),
      )
      .selectAll('c')
      .select([
        'p.organization_id as organization_id',
        'p.is_archived as project_archived',
        'm.role as member_role',
        'g.role as grant_role',
      ])
      .where('c.id', 'in', [...canvasIds])
      .where('c.deleted_at', 'is', null)
  }

  private async readAccessRows(keys: readonly string[]): Promise<Map<string, AccessRow>> {
    const canvasesByUser = new Map<string, string[]>()
    for (const key of keys) {
      const [userId = '', canvasId = ''] = key.split(' ')
      const canvasIds = canvasesByUser.get(userId)
      if (canvasIds === undefined) canvasesByUser.set(userId, [canvasId])
      else canvasIds.push(canvasId)
    }
    const rows = new Map<string, AccessRow>()
    for (const [userId, canvasIds] of canvasesByUser) {
      for (const row of await this.accessRowsQuery(userId, canvasIds).execute()) {
        rows.set(accessKey(userId, row.id), row)
      }
    }
    return rows
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  /** Signup: a new organization and its first admin, atomically. */
  createOrganizationWithAdmin(input: {
    organizationName: string
    slug: string
    email: string
    username: string
    passwordHash: string
  }): Promise<{ organization: Organization; user: User }> {
    return rethrowUnique(() =>
      this.db.transaction().execute(async (trx) => {
        const organization = await trx
          .insertInto('organizations')
          .values({ name: input.organizationName, slug: input.slug, settings: '{}' })
          .returningAll()
          .executeTakeFirstOrThrow()
        const user = await trx
          .insertInto('users')
          .values({
            email: input.email,
            username: input.username,
            hashed_password: input.passwordHash,
            organization_id: organization.id,
            role: 'admin',
            settings: '{}',
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return { organization, user }
      }),
    )
  }

  async slugExists(slug: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirst()
    return row !== undefined
  }

  findUserByEmail(email: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
  }

  getUser(userId: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst()
  }

  getOrganization(organizationId: string): Promise<Organization | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst()
  }

  async recordLogin(userId: string): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', userId).execute()
  }

  /** A project and its owner's admin membership, atomically. */
  createProject(input: {
    organizationId: string
    ownerId: string
    name: string
    description: string | null
  }): Promise<Project> {
    return this.db.transaction().execute(async (trx) => {
      const project = await trx
        .insertInto('projects')
        .values({
          organization_id: input.organizationId,
          owner_id: input.ownerId,
          name: input.name,
          description: input.description,
          settings: '{}',
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('project_members')
        .values({ project_id: project.id, user_id: input.ownerId, role: 'admin', permissions: '{}' })
        .execute()
      return project
    })
  }

  /** The project if it belongs to the organization, else undefined (never reveals other tenants' rows). */
  getProject(organizationId: string, projectId: string): Promise<Project | undefined> {
    return this.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', projectId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst()
  }

  /** The caller's effective role on a project: org admins are admins of every project of their organization. */
  async projectRole(
    user: Pick<User, 'id' | 'role' | 'organization_id'>,
    project: Project,
  ): Promise<ProjectRole | null> {
    if (project.organization_id !== user.organization_id) return null
    const member = await this.db
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', project.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst()
    return strongestRole([user.role === 'admin' ? 'admin' : null, member?.role ?? null])
  }

  /** A canvas and its creator's admin grant (the creator manages what they made), atomically. */
  createCanvas(input: {
    projectId: string
    ownerId: string
    name: string
    description: string | null
    visibility?: CanvasVisibility
  }): Promise<Canvas> {
    return this.db.transaction().execute(async (trx) => {
      const canvas = await trx
        .insertInto('canvases')
        .values({
          project_id: input.projectId,
          owner_id: input.ownerId,
          name: input.name,
          description: input.description,
          visibility: input.visibility ?? 'private',
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('canvas_permissions')
        .values({ canvas_id: canvas.id, user_id: input.ownerId, role: 'admin', granted_by: input.ownerId })
        .execute()
      return canvas
    })
  }

  /**
   * Effective role of a user on a canvas (effectiveCanvasRole), or null when the user must not learn the canvas
   * exists. `linkToken` is a public link token the caller presented. Deleted canvases and archived projects'
   * canvases are not reachable.
   */
  async canvasAccess(
    user: Pick<User, 'id' | 'role' | 'organization_id'>,
    canvasId: string,
    options: { readonly linkToken?: string | null } = {},
  ): Promise<CanvasAccess | null> {
    if (!isUuid(canvasId)) return null
    const row = await this.accessRows.read(accessKey(user.id, canvasId))
    if (row === null) return null
    const { organization_id, project_archived, member_role, grant_role, ...canvas } = row
    const linkToken = options.linkToken ?? null
    const role = effectiveCanvasRole({
      sameOrganization: organization_id === user.organization_id,
      organizationAdmin: user.role === 'admin',
      memberRole: member_role,
      grantRole: grant_role,
      visibility: canvas.visibility,
      publicLink:
        linkToken !== null &&
        canvas.public_link_token !== null &&
        sameSecret(linkToken, canvas.public_link_token),
    })
    if (role === null || project_archived) return null
    return { canvas, organizationId: organization_id, role }
  }

  /** Ids of a project's live (not deleted) canvases. */
  async canvasIdsOfProject(projectId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('canvases')
      .select('id')
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .execute()
    return rows.map((row) => row.id)
  }

  /** Marks a canvas as changed now. */
  async touchCanvas(canvasId: string, trx?: Transaction<Database>): Promise<void> {
    await (trx ?? this.db)
      .updateTable('canvases')
      .set({ updated_at: new Date() })
      .where('id', '=', canvasId)
      .execute()
  }
}

type AccessRow = Awaited<ReturnType<ReturnType<MetadataStore['accessRowsQuery']>['execute']>>[number]

/** UUIDs compare case-insensitively in SQL; the key of a read and of its row must match. */
function accessKey(userId: string, canvasId: string): string {
  return `${userId.toLowerCase()} ${canvasId.toLowerCase()}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

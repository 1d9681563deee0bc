import type { Kysely } from 'kysely'
import type { Database, Project, ProjectMember, ProjectRole, User } from '../../schema/database.ts'

export interface ProjectWithRole {
  readonly project: Project
  readonly role: ProjectRole
}

export interface MemberRow {
  readonly user_id: string
  readonly username: string
  readonly first_name: string | null
  readonly last_name: string | null
  readonly role: ProjectRole
  readonly invited_by: string | null
  readonly joined_at: Date
}

export interface ProjectPatch {
  readonly name?: string
  readonly description?: string | null
  readonly is_archived?: boolean
}

/**
 * Project listing, updates and membership. Callers resolve the project through MetadataStore.getProject (scoped to
 * their organization) before using the id-based methods here.
 */
export class ProjectStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Projects the user can see: all of the organization's for its admins, else those they are a member of. */
  async listVisible(
    user: Pick<User, 'id' | 'role' | 'organization_id'>,
    options: { readonly includeArchived: boolean },
  ): Promise<ProjectWithRole[]> {
    if (user.organization_id === null) return []
    let query = this.db
      .selectFrom('projects as p')
      .leftJoin('project_members as m', (join) =>
        join.onRef('m.project_id', '=', 'p.id').on('m.user_id', '=', user.id),
      )
      .selectAll('p')
      .select('m.role as member_role')
      .where('p.organization_id', '=', user.organization_id)
    if (user.role !== 'admin') query = query.where('m.user_id', 'is not', null)
    if (!options.includeArchived) query = query.where('p.is_archived', '=', false)
    const rows = await query.orderBy('p.created_at').orderBy('p.id').execute()
    return rows.map(({ member_role, ...project }) => ({
      project,
      // Org admins are admins of every project; everyone else listed here is a member.
      role: user.role === 'admin' ? 'admin' : (member_role ?? 'viewer'),
    }))
  }

  update(projectId: string, patch: ProjectPatch): Promise<Project | undefined> {
    return this.db
      .updateTable('projects')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', projectId)
      .returningAll()
      .executeTakeFirst()
  }

  /** Members with their names; only `userId`'s row when given. */
  listMembers(projectId: string, userId?: string): Promise<MemberRow[]> {
    let query = this.db
      .selectFrom('project_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'm.user_id',
        'u.username',
        'u.first_name',
        'u.last_name',
        'm.role',
        'm.invited_by',
        'm.joined_at',
      ])
      .where('m.project_id', '=', projectId)
    if (userId !== undefined) query = query.where('m.user_id', '=', userId)
    return query.orderBy('m.joined_at').orderBy('m.user_id').execute()
  }

  getMember(projectId: string, userId: string): Promise<ProjectMember | undefined> {
    return this.db
      .selectFrom('project_members')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  }

  /** Adds a member; undefined when the user already is one (nothing changed). */
  addMember(input: {
    projectId: string
    userId: string
    role: ProjectRole
    invitedBy: string
  }): Promise<ProjectMember | undefined> {
    return this.db
      .insertInto('project_members')
      .values({
        project_id: input.projectId,
        user_id: input.userId,
        role: input.role,
        invited_by: input.invitedBy,
        permissions: '{}',
      })
      .onConflict((conflict) => conflict.columns(['project_id', 'user_id']).doNothing())
      .returningAll()
      .executeTakeFirst()
  }

  updateMember(projectId: string, userId: string, role: ProjectRole): Promise<ProjectMember | undefined> {
    return this.db
      .updateTable('project_members')
      .set({ role })
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst()
  }

  async removeMember(projectId: string, userId: string): Promise<boolean> {
    const rows = await this.db
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .returning('user_id')
      .execute()
    return rows.length > 0
  }
}

import type { User } from '../../schema/database.ts'
import type { Principal } from '../rooms/principal.ts'

/** Hono environment: what middleware puts on the context. */
export interface AppEnv {
  Variables: {
    principal: Principal
    user: User
  }
}

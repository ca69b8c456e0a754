import type { Role } from '@repo/schemas';
import type { Database } from '../../db/database';

export type UserRow = {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
  organisationId: string;
  organisationSlug: string;
  organisationName: string;
};

export function createUsersRepo(database: Database) {
  const users = () =>
    database.db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisationId')
      .select([
        'u.id',
        'u.email',
        'u.role',
        'u.passwordHash',
        'o.id as organisationId',
        'o.slug as organisationSlug',
        'o.name as organisationName',
      ]);

  return {
    /** Emails are kept in lower case; the caller's spelling does not matter. */
    findByEmail: (email: string): Promise<UserRow | undefined> =>
      users().where('u.email', '=', email.trim().toLowerCase()).executeTakeFirst(),
    findById: (id: string): Promise<UserRow | undefined> =>
      users().where('u.id', '=', id).executeTakeFirst(),
    /** Replaces a hash made at an older, cheaper cost; only after the password was checked. */
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await database.db.updateTable('users').set({ passwordHash }).where('id', '=', id).execute();
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;

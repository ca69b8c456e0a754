import type { Me, Role } from '@repo/schemas';
import type { Database } from '../../db/database';

type UserRow = {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
  organisationId: string;
  organisationSlug: string;
  organisationName: string;
};

const USER_COLUMNS = `u.id, u.email, u.role, u.password_hash AS passwordHash,
  o.id AS organisationId, o.slug AS organisationSlug, o.name AS organisationName`;

export function createAuthRepo(db: Database) {
  const byEmail = db.prepare(
    `SELECT ${USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.email = ?`,
  );
  const byId = db.prepare(
    `SELECT ${USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?`,
  );
  const setPasswordHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  return {
    /** Replaces a hash made at an older, cheaper cost; only after the password was checked. */
    setPasswordHash: (id: string, hash: string) => setPasswordHash.run(hash, id),
    findByEmail: (email: string) => byEmail.get(email) as UserRow | undefined,
    findById: (id: string) => byId.get(id) as UserRow | undefined,
  };
}

export function toMe(user: UserRow): Me {
  return {
    user: { id: user.id, email: user.email, role: user.role },
    organisation: {
      id: user.organisationId,
      slug: user.organisationSlug,
      name: user.organisationName,
    },
  };
}

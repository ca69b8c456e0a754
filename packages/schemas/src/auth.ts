import { z } from 'zod';
import { roleSchema } from './common';

export const csrfTokenSchema = z.object({ csrfToken: z.string().min(1) });

export const loginRequestSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const organisationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
});
export type Organisation = z.infer<typeof organisationSchema>;

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), role: roleSchema }),
  organisation: organisationSchema,
});
export type Me = z.infer<typeof meSchema>;

/** Who is signed in, or nobody: asked before anything else, so a visitor gets no 401. */
export const sessionSchema = z.object({ me: meSchema.nullable() });
export type Session = z.infer<typeof sessionSchema>;

export const loginResponseSchema = meSchema.extend({ csrfToken: z.string() });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

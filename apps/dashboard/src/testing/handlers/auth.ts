import { http, HttpResponse } from 'msw';
import {
  csrfTokenSchema,
  loginRequestSchema,
  loginResponseSchema,
  meSchema,
  sessionSchema,
  type Me,
} from '@repo/schemas';
import { apiError } from './errors';

export const acmeAdmin: Me = meSchema.parse({
  user: { id: 'usr_acme_admin', email: 'admin@acme.example', role: 'admin' },
  organisation: { id: 'org_acme', slug: 'acme', name: 'Acme Devices' },
});

export const authState = { signedIn: true as boolean, me: acmeAdmin };

export const authHandlers = [
  http.get('/api/auth/csrf', () =>
    HttpResponse.json(csrfTokenSchema.parse({ csrfToken: 'csrf-test' })),
  ),
  http.get('/api/auth/session', () =>
    HttpResponse.json(sessionSchema.parse({ me: authState.signedIn ? authState.me : null })),
  ),
  http.get('/api/me', () =>
    authState.signedIn
      ? HttpResponse.json(meSchema.parse(authState.me))
      : apiError(401, 'UNAUTHENTICATED', 'Sign in to continue.'),
  ),
  http.post('/api/auth/login', async ({ request }) => {
    if (request.headers.get('X-CSRF-Token') !== 'csrf-test')
      return apiError(403, 'CSRF_INVALID', 'Bad token.');
    const body = loginRequestSchema.safeParse(await request.json());
    if (!body.success || body.data.password !== 'demo-password') {
      return apiError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    authState.signedIn = true;
    return HttpResponse.json(
      loginResponseSchema.parse({ ...authState.me, csrfToken: 'csrf-test' }),
    );
  }),
  http.post('/api/auth/logout', ({ request }) => {
    if (request.headers.get('X-CSRF-Token') !== 'csrf-test')
      return apiError(403, 'CSRF_INVALID', 'Bad token.');
    authState.signedIn = false;
    return new HttpResponse(null, { status: 204 });
  }),
];

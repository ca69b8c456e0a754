import { createApiClient } from '@repo/api-client';

/** The one API client of the SPA: same origin, session cookie, CSRF handled inside. */
export const api = createApiClient();

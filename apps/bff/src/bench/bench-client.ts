import { DEMO_PASSWORD } from '../db/seed';

/** The cookies a response sets, as a Cookie header sends them back. */
export const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/** Signs in the way the dashboard does (a CSRF token first) and returns the session cookie. */
export async function signIn(baseUrl: string, email: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-CSRF-Token': csrfToken,
      cookie: cookiesOf(csrf),
    },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`Signing in as ${email} failed: ${login.status}.`);
  return cookiesOf(login);
}

/** A GET that must answer 2xx, as JSON. */
export async function getJson(url: string, cookie = ''): Promise<unknown> {
  const res = await fetch(url, { headers: { cookie } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

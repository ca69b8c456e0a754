import { useState, type FormEvent } from 'react';
import { isApiError } from '@repo/api-client';
import { useLogin } from '../api/mutations';

function loginErrorMessage(error: unknown): string {
  if (isApiError(error, 'INVALID_CREDENTIALS')) return 'The email or password is wrong.';
  if (isApiError(error, 'TOO_MANY_ATTEMPTS')) return error.message;
  if (isApiError(error, 'VALIDATION_FAILED'))
    return 'Enter a valid email address and your password.';
  return 'Signing in failed. Check your connection and try again.';
}

export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: onSignedIn });
  };

  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      aria-describedby={login.isError ? 'login-error' : undefined}
    >
      <label className="field">
        <span>Email</span>
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {login.isError && (
        <p id="login-error" className="form-error" role="alert">
          {loginErrorMessage(login.error)}
        </p>
      )}
      <button
        type="submit"
        className="button button--primary"
        disabled={login.isPending || !email || !password}
      >
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

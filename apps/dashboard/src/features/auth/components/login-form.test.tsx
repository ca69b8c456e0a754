import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { authState } from '../../../testing/handlers/auth';
import { renderRoute } from '../../../testing/render';

describe('login', () => {
  it('says so when the password is wrong, and stays on the page', async () => {
    authState.signedIn = false;
    const { user, router } = renderRoute('/login');
    await user.type(await screen.findByLabelText('Email'), 'admin@acme.example');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is wrong.');
    expect(router.state.location.pathname).toBe('/login');
  });

  it('signs in with the keyboard and goes where the visitor was going', async () => {
    authState.signedIn = false;
    const { user, router } = renderRoute('/login?next=%2Fdevices');
    await user.type(await screen.findByLabelText('Email'), 'admin@acme.example');
    await user.type(screen.getByLabelText('Password'), 'demo-password{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/devices'));
    expect(await screen.findByRole('heading', { name: 'Devices' })).toBeInTheDocument();
  });

  it('never follows a next address off the site: the Overview is where a sign-in starts', async () => {
    authState.signedIn = false;
    const { user, router } = renderRoute('/login?next=%2F%2Fevil.example');
    await user.type(await screen.findByLabelText('Email'), 'admin@acme.example');
    await user.type(screen.getByLabelText('Password'), 'demo-password{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/overview'));
    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeInTheDocument();
  });

  it('opens the Overview at the site’s root', async () => {
    const { router } = renderRoute('/');
    await waitFor(() => expect(router.state.location.pathname).toBe('/overview'));
  });
});

/** Leaves the SPA for another site (Stripe's payment page). A module of its own so tests can watch it. */
export function leaveFor(url: string): void {
  window.location.assign(url);
}

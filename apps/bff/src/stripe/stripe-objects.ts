/** The id behind a field that Stripe sends as an id or, when expanded, as the object. */
export function paymentIntentIdOf(
  value: string | { id: string } | null | undefined,
): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

import { isApiError } from '@repo/api-client';
import { isRouteErrorResponse, useRevalidator, useRouteError } from 'react-router';
import { ErrorState } from '../../components/states';
import { NotFound } from './not-found';

/** The error boundary of every route: not found, or a clear message with a way out. */
export function RouteError() {
  const error = useRouteError();
  const revalidator = useRevalidator();
  if (
    (isRouteErrorResponse(error) && error.status === 404) ||
    (isApiError(error) && error.status === 404)
  ) {
    return <NotFound />;
  }
  return (
    <section className="route-error">
      <ErrorState
        title="Something went wrong"
        error={error instanceof Error ? error : new Error('This page could not be shown.')}
        onRetry={() => revalidator.revalidate()}
      />
    </section>
  );
}

import { Link } from 'react-router';

export function NotFound() {
  return (
    <section className="not-found">
      <h1>Page not found</h1>
      <p className="muted">
        There is nothing at this address. It may have moved, or the link is wrong.
      </p>
      <Link to="/marketplaces" className="button">
        Back to the dashboard
      </Link>
    </section>
  );
}

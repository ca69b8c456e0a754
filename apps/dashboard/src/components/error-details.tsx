import { isApiError } from '@repo/api-client';

/** The BFF's field-by-field reasons, under the form that sent them. */
export function ErrorDetails({ error, title }: { error: unknown; title: string }) {
  if (!error) return null;
  const details = isApiError(error) ? error.details : [];
  return (
    <div className="form-error" role="alert">
      <strong>{title}</strong> {error instanceof Error ? error.message : ''}
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={`${d.path}:${d.deviceId ?? ''}:${d.message}`}>
              {d.deviceId ? (
                <code>{d.deviceId}</code>
              ) : (
                d.path !== '(root)' && <code>{d.path}</code>
              )}{' '}
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

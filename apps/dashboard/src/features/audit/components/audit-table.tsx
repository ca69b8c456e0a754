import { Fragment, useId, useState } from 'react';
import { Link } from 'react-router';
import type { AuditEntry } from '@repo/schemas';
import { formatDateTime } from '../../../lib/format';
import {
  actorLabel,
  AUDIT_ACTION_LABELS,
  AUDIT_OBJECT_TYPE_LABELS,
  objectPath,
} from '../audit-labels';

function Actor({ entry }: { entry: AuditEntry }) {
  const { actor } = entry;
  return (
    <>
      {actor.type === 'system' ? (
        <span className="badge badge--muted">System</span>
      ) : (
        <span>{actorLabel(actor)}</span>
      )}
      {actor.type === 'api_key' && actor.prefix && (
        <span className="muted mono small"> {actor.prefix}…</span>
      )}
      {actor.type === 'system' && <span className="muted small"> automatic</span>}
    </>
  );
}

function ObjectCell({ entry }: { entry: AuditEntry }) {
  const type = AUDIT_OBJECT_TYPE_LABELS[entry.objectType] ?? entry.objectType;
  const path = objectPath(entry);
  return (
    <>
      {type}{' '}
      {entry.objectId &&
        (path ? (
          <Link to={path} className="mono">
            {entry.objectId}
          </Link>
        ) : (
          <span className="mono">{entry.objectId}</span>
        ))}
    </>
  );
}

/** Every entry in one row; its details open beneath it, one entry or many at a time. */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const id = useId();
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (entryId: number) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(entryId)) next.add(entryId);
      return next;
    });

  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table audit-table">
        <caption className="visually-hidden">Audit log, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Object</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const expanded = open.has(entry.id);
            const panelId = `${id}-entry-${entry.id}`;
            const label = AUDIT_ACTION_LABELS[entry.action];
            return (
              <Fragment key={entry.id}>
                <tr className={expanded ? 'row--selected' : undefined}>
                  <td>{formatDateTime(entry.createdAt)}</td>
                  <td>
                    <Actor entry={entry} />
                  </td>
                  <td>
                    {label ?? <span className="mono">{entry.action}</span>}
                    {label && <span className="muted mono small"> {entry.action}</span>}
                  </td>
                  <td className="audit-table__object">
                    <ObjectCell entry={entry} />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button--small"
                      aria-expanded={expanded}
                      aria-controls={panelId}
                      aria-label={`${expanded ? 'Hide' : 'Show'} details of entry ${entry.id}`}
                      onClick={() => toggle(entry.id)}
                    >
                      {expanded ? 'Hide' : 'Details'}
                    </button>
                  </td>
                </tr>
                <tr id={panelId} hidden={!expanded} className="audit-table__details">
                  <td colSpan={5}>
                    {expanded && (
                      <>
                        <dl className="audit-table__facts">
                          <dt>Entry</dt>
                          <dd className="mono">{entry.id}</dd>
                          <dt>Request ID</dt>
                          <dd className="mono">{entry.requestId ?? '—'}</dd>
                          {entry.actor.type === 'user' && (
                            <>
                              <dt>User ID</dt>
                              <dd className="mono">{entry.actor.userId}</dd>
                            </>
                          )}
                          {entry.actor.type === 'api_key' && (
                            <>
                              <dt>API key ID</dt>
                              <dd className="mono">{entry.actor.apiKeyId}</dd>
                            </>
                          )}
                        </dl>
                        {entry.details === null ? (
                          <p className="muted small">No details were recorded.</p>
                        ) : (
                          <pre
                            className="audit-table__json"
                            aria-label={`Details of entry ${entry.id}`}
                          >
                            {JSON.stringify(entry.details, null, 2)}
                          </pre>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { useQuery } from '@tanstack/react-query';
import { ErrorState, Spinner } from '../../../components/states';
import { openApiQueryOptions } from '../api/queries';

/** The parts of an OpenAPI 3.1 document and JSON Schema 2020-12 this page shows. */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  $ref?: string;
  description?: string;
};
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
};
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: Schema }> }
  >;
};
type Document = {
  info?: { title?: string; description?: string; version?: string };
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
};

function typeOf(schema: Schema): string {
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(' or ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['any'];
  return types
    .map((t) => (t === 'array' && schema.items ? `array of ${typeOf(schema.items)}` : t))
    .join(' or ');
}

function constraints(schema: Schema): string {
  const parts: string[] = [];
  if (schema.format) parts.push(schema.format);
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} characters`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined)
    parts.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '∞'} items`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '−∞'}–${schema.maximum ?? '∞'}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(', ');
}

/** An object's fields as a nested list; depth-limited so that the page stays readable. */
function SchemaView({ schema, depth = 0 }: { schema: Schema; depth?: number }) {
  const objectSchema =
    schema.type === 'array' || (Array.isArray(schema.type) && schema.items) ? schema.items : schema;
  const properties = objectSchema?.properties;
  if (!properties || depth > 3) return <span className="mono small">{typeOf(schema)}</span>;
  return (
    <ul className="schema">
      {Object.entries(properties).map(([name, property]) => (
        <li key={name}>
          <code>{name}</code>{' '}
          <span className="muted small">
            {typeOf(property)}
            {objectSchema.required?.includes(name) ? ', required' : ''}
            {constraints(property) && `, ${constraints(property)}`}
          </span>
          {(property.properties || property.items?.properties) && (
            <SchemaView schema={property} depth={depth + 1} />
          )}
        </li>
      ))}
    </ul>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const body = op.requestBody?.content?.['application/json']?.schema;
  return (
    <article className="panel operation" aria-labelledby={`op-${op.operationId}`}>
      <h3 id={`op-${op.operationId}`}>
        <span className={`http-method http-method--${method}`}>{method.toUpperCase()}</span>{' '}
        <code>{path}</code>
      </h3>
      {op.summary && (
        <p>
          <strong>{op.summary}</strong>
        </p>
      )}
      {op.description && <p className="small">{op.description}</p>}
      {op.security?.length === 0 && <p className="small muted">No API key needed.</p>}
      {op.parameters && op.parameters.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table className="table">
            <caption>Parameters</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">In</th>
                <th scope="col">Type</th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p) => (
                <tr key={`${p.in}:${p.name}`}>
                  <td>
                    <code>{p.name}</code>
                    {p.required && <span className="small muted"> required</span>}
                  </td>
                  <td>{p.in}</td>
                  <td className="small">
                    {p.schema ? typeOf(p.schema) : 'string'}
                    {p.schema && constraints(p.schema) && `, ${constraints(p.schema)}`}
                    {p.description && <div className="muted">{p.description}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {body && (
        <>
          <h4>Request body</h4>
          <SchemaView schema={body} />
        </>
      )}
      <h4>Responses</h4>
      <dl className="responses">
        {Object.entries(op.responses ?? {}).map(([status, response]) => {
          const schema = response.content?.['application/json']?.schema;
          return (
            <div key={status}>
              <dt>
                <code>{status}</code> {response.description}
              </dt>
              {status.startsWith('2') && schema?.properties && (
                <dd>
                  <SchemaView schema={schema} />
                </dd>
              )}
            </div>
          );
        })}
      </dl>
    </article>
  );
}

export function ApiReference() {
  const doc = useQuery(openApiQueryOptions());
  if (doc.isPending) return <Spinner label="Loading the API reference…" />;
  if (doc.isError) return <ErrorState error={doc.error} onRetry={() => doc.refetch()} />;
  const document = doc.data as Document;
  return (
    <div className="api-reference">
      <section className="panel" aria-labelledby="api-overview">
        <h2 id="api-overview">
          {document.info?.title} <span className="muted small">v{document.info?.version}</span>
        </h2>
        <p>{document.info?.description}</p>
        <p className="small">
          Base URL: <code>{document.servers?.[0]?.url}</code> ·{' '}
          <a href="/api/v1/openapi.json">OpenAPI 3.1 document (JSON)</a>
        </p>
      </section>
      <section aria-labelledby="api-operations">
        <h2 id="api-operations">Operations</h2>
        {Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, op]) => (
            <OperationView key={`${method} ${path}`} method={method} path={path} op={op} />
          )),
        )}
      </section>
      <section aria-labelledby="api-webhooks">
        <h2 id="api-webhooks">Webhook events</h2>
        {Object.entries(document.webhooks ?? {}).map(([name, methods]) => {
          const op = methods.post;
          const schema = op?.requestBody?.content?.['application/json']?.schema;
          return (
            <article key={name} className="panel operation" aria-label={`Event ${name}`}>
              <h3>
                <code>{name}</code>
              </h3>
              {op?.description && <p className="small">{op.description}</p>}
              {schema && <SchemaView schema={schema} />}
            </article>
          );
        })}
      </section>
    </div>
  );
}

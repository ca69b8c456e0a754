import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Database } from '../db/database';

/**
 * The same database handle, recording every statement run through it, and the plan of each:
 * EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, so that the rows each
 * step read are there to see.
 */
export function recordingPlans(database: Database) {
  const statements: RootOperationNode[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: ({ node }: PluginTransformQueryArgs) => {
      statements.push(node);
      return node;
    },
    transformResult: async ({ result }: PluginTransformResultArgs) =>
      result as QueryResult<UnknownRow>,
  };
  const recorded: Database = { ...database, db: database.db.withPlugin(recorder) };
  const raw = database.db.withoutPlugins();

  async function explain(node: RootOperationNode): Promise<{ sql: string; plan: string[] }> {
    const compiled = database.db.getExecutor().compileQuery(node, { queryId: 'plan' });
    const parameters = [...compiled.parameters];
    if (database.dialect === 'sqlite') {
      const started = performance.now();
      await raw.executeQuery(CompiledQuery.raw(compiled.sql, parameters));
      const ms = performance.now() - started;
      const { rows } = await raw.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, parameters),
      );
      return {
        sql: compiled.sql,
        plan: [...rows.map((r) => r.detail), `Execution Time: ${ms.toFixed(3)} ms`],
      };
    }
    const { rows } = await raw.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${compiled.sql}`, parameters),
    );
    return { sql: compiled.sql, plan: rows.map((r) => r['QUERY PLAN']) };
  }

  return {
    database: recorded,
    /** Forgets what was recorded, runs `work`, and prints each statement it ran with its plan. */
    async report(title: string, work: () => Promise<unknown>): Promise<void> {
      statements.length = 0;
      await work();
      const ran = [...statements];
      console.log(`\n  == ${title}`);
      for (const node of ran) {
        const { sql, plan } = await explain(node);
        console.log(`    ${sql.replace(/\s+/g, ' ')}`);
        for (const line of plan) console.log(`      ${line}`);
      }
    },
  };
}

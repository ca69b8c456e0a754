import { useId, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

/** Series colours; never the only cue: every series is named in the legend and the table. */
export const CHART_COLOURS = {
  live: '#c01048',
  test: '#dc6803',
  liveRefund: '#6b1d3f',
  testRefund: '#93370d',
  succeeded: '#067647',
  failed: '#b42318',
  rate: '#3346d3',
  reasons: ['#b42318', '#dc6803', '#7a5af8', '#0e9384', '#3346d3', '#5c6478'],
} as const;

export const CHART_HEIGHT = 260;

/** Legend labels in the text colour: a series colour on white is often too pale to read. */
export const legendText = (value: unknown) => (
  <span className="chart__legend-text">{String(value)}</span>
);

/**
 * A chart with its text alternative: a sentence that says what it shows, always visible, and
 * its numbers in a table on request. The drawing itself is hidden from assistive technology,
 * which gets the same content from the sentence and the table.
 */
export function ChartFigure({
  title,
  summary,
  controls,
  table,
  height = CHART_HEIGHT,
  children,
}: {
  title: string;
  height?: number;
  summary: ReactNode;
  controls?: ReactNode;
  table: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className="panel chart" aria-labelledby={`${id}-title`}>
      <div className="chart__header">
        <h2 id={`${id}-title`}>{title}</h2>
        {controls && <div className="chart__controls">{controls}</div>}
      </div>
      <p className="chart__summary">{summary}</p>
      <div className="chart__canvas" aria-hidden="true">
        <ResponsiveContainer width="100%" height={height} minWidth={0}>
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
      <details className="chart__numbers">
        <summary>Show the numbers</summary>
        <div className="table-wrap" tabIndex={0}>
          {table}
        </div>
      </details>
    </section>
  );
}

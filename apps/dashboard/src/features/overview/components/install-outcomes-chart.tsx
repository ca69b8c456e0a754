import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { Overview } from '@repo/schemas';
import { installSeries, installTotals } from '../aggregate';
import { formatCount, plural } from '../../../lib/format';
import { formatDay, formatShortDay } from '../format';
import { CHART_COLOURS, ChartFigure, legendText } from '../../../components/chart-figure';

const rate = (value: number | null) => (value === null ? '—' : `${value} %`);

/** Installs that ended each day, succeeded and failed stacked, with the day's success rate. */
export function InstallOutcomesChart({ overview }: { overview: Overview }) {
  const points = installSeries(overview);
  const totals = installTotals(points);
  const ended = totals.succeeded + totals.failed;
  const days = points.filter((p) => p.succeeded + p.failed > 0);
  return (
    <ChartFigure
      title="Install success rate"
      summary={
        ended === 0
          ? 'No install ended in this range.'
          : `${rate(totals.successRate)} of ${plural(ended, 'install')} succeeded: ${formatCount(totals.succeeded)} succeeded, ${formatCount(totals.failed)} failed. Cancelled installs are not counted.`
      }
      table={
        <table className="table">
          <caption>Days on which an install ended.</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
              <th scope="col">Success rate</th>
            </tr>
          </thead>
          <tbody>
            {days.map((p) => (
              <tr key={p.day}>
                <th scope="row">{formatDay(p.day)}</th>
                <td>{formatCount(p.succeeded)}</td>
                <td>{formatCount(p.failed)}</td>
                <td>{rate(p.successRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ComposedChart data={points} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={formatShortDay} minTickGap={16} />
        <YAxis yAxisId="count" allowDecimals={false} width={40} />
        <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} unit=" %" width={52} />
        <Tooltip
          labelFormatter={(day) => formatDay(String(day))}
          formatter={(value, name) =>
            name === 'Success rate' ? rate(value === null ? null : Number(value)) : value
          }
        />
        <Legend formatter={legendText} />
        <Bar
          yAxisId="count"
          dataKey="succeeded"
          name="Succeeded"
          stackId="installs"
          fill={CHART_COLOURS.succeeded}
        />
        <Bar
          yAxisId="count"
          dataKey="failed"
          name="Failed"
          stackId="installs"
          fill={CHART_COLOURS.failed}
        />
        <Line
          yAxisId="rate"
          dataKey="successRate"
          name="Success rate"
          stroke={CHART_COLOURS.rate}
          strokeWidth={2}
          dot={false}
          connectNulls
        />
      </ComposedChart>
    </ChartFigure>
  );
}

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { Overview } from '@repo/schemas';
import { failureReasons } from '../aggregate';
import { formatCount, plural } from '../../../lib/format';
import { formatDay, formatShortDay } from '../format';
import { CHART_COLOURS, ChartFigure, legendText } from '../../../components/chart-figure';

/** Failed installs per day by what the devices said went wrong, the commonest reasons apart. */
export function FailureReasonsChart({ overview }: { overview: Overview }) {
  const { reasons, points, all } = failureReasons(overview);
  const total = all.reduce((sum, r) => sum + r.total, 0);
  const [commonest] = all;
  return (
    <ChartFigure
      title="Install failures by reason"
      summary={
        commonest
          ? `${plural(total, 'install')} failed for ${plural(all.length, 'reason')}; the commonest: “${commonest.label}” (${formatCount(commonest.total)}).`
          : 'No install failed in this range.'
      }
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Failures</th>
            </tr>
          </thead>
          <tbody>
            {all.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{formatCount(r.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <BarChart data={points} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={formatShortDay} minTickGap={16} />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip labelFormatter={(day) => formatDay(String(day))} />
        <Legend formatter={legendText} />
        {reasons.map((r, i) => (
          <Bar
            key={r.key}
            dataKey={r.key}
            name={r.label}
            stackId="failures"
            fill={CHART_COLOURS.reasons[i % CHART_COLOURS.reasons.length]}
          />
        ))}
      </BarChart>
    </ChartFigure>
  );
}

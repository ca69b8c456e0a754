import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { CheckoutMode, Overview } from '@repo/schemas';
import { salesSeries, salesTotals, type SalesPoint } from '../aggregate';
import { plural } from '../../../lib/format';
import { formatAmount, formatAmountTick, formatDay, formatShortDay } from '../format';
import { CHART_COLOURS, ChartFigure, legendText } from '../../../components/chart-figure';

const MODE_NAMES: Record<CheckoutMode, string> = { live: 'Live', test: 'Test' };

type Props = {
  overview: Overview;
  currency: string;
  itemId: string | undefined;
  onCurrencyChange: (currency: string) => void;
  onItemChange: (itemId: string | undefined) => void;
};

/**
 * Sales and refunds per day, in one currency: each mode's sales stacked above the axis, its
 * refunds below it, so a day with refunds stands out without hiding what was sold.
 */
export function SalesChart({ overview, currency, itemId, onCurrencyChange, onItemChange }: Props) {
  const modes: CheckoutMode[] = overview.mode ? [overview.mode] : ['live', 'test'];
  const points = salesSeries(overview, currency, itemId);
  const totals = salesTotals(points);
  const products = [...new Map(overview.items.map((i) => [i.itemId, i.itemName]))].sort(
    ([, a], [, b]) => a.localeCompare(b),
  );
  const productName = products.find(([id]) => id === itemId)?.[1];
  const chartData = points.map((p) => ({
    ...p,
    liveRefundedBelow: -p.liveRefunded,
    testRefundedBelow: -p.testRefunded,
  }));
  const active = points.filter((p) =>
    modes.some((m) => p[`${m}Purchases`] > 0 || p[`${m}Refunds`] > 0),
  );
  const money = (amount: number) => formatAmount(amount, currency);

  const summary = modes
    .map((m) => {
      const t = totals[m];
      return `${MODE_NAMES[m]}: ${money(t.gross)} from ${plural(t.purchases, 'purchase')}, ${money(t.refunded)} refunded (${plural(t.refunds, 'refund')}).`;
    })
    .join(' ');

  const controls = (
    <>
      {overview.currencies.length > 1 && (
        <label className="field field--inline">
          <span>Currency</span>
          <select value={currency} onChange={(e) => onCurrencyChange(e.target.value)}>
            {overview.currencies.map((c) => (
              <option key={c} value={c}>
                {c.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field field--inline">
        <span>Product</span>
        <select value={itemId ?? ''} onChange={(e) => onItemChange(e.target.value || undefined)}>
          <option value="">All products</option>
          {products.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      </label>
    </>
  );

  return (
    <ChartFigure
      title="Sales and refunds"
      controls={controls}
      summary={
        <>
          {productName ?? 'All products'}, in {currency.toUpperCase()}
          {overview.currencies.length > 1
            ? ' (other currencies are charted apart, never added)'
            : ''}
          . {summary}
        </>
      }
      table={<SalesTable points={active} modes={modes} money={money} />}
    >
      <BarChart data={chartData} stackOffset="sign" accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={formatShortDay} minTickGap={16} />
        <YAxis
          tickFormatter={(value: number) => formatAmountTick(value, currency)}
          width={64}
          allowDecimals={false}
        />
        <ReferenceLine y={0} stroke="#8b93a7" />
        <Tooltip
          labelFormatter={(day) => formatDay(String(day))}
          formatter={(value) => money(Math.abs(Number(value)))}
        />
        <Legend formatter={legendText} />
        {modes.map((m) => (
          <Bar
            key={`${m}-sales`}
            dataKey={`${m}Gross`}
            name={`${MODE_NAMES[m]} sales`}
            stackId="money"
            fill={CHART_COLOURS[m]}
          />
        ))}
        {modes.map((m) => (
          <Bar
            key={`${m}-refunds`}
            dataKey={`${m}RefundedBelow`}
            name={`${MODE_NAMES[m]} refunds`}
            stackId="money"
            fill={CHART_COLOURS[`${m}Refund`]}
          />
        ))}
      </BarChart>
    </ChartFigure>
  );
}

function SalesTable({
  points,
  modes,
  money,
}: {
  points: SalesPoint[];
  modes: CheckoutMode[];
  money: (amount: number) => string;
}) {
  return (
    <table className="table">
      <caption>Days with a sale or a refund; amounts with their counts.</caption>
      <thead>
        <tr>
          <th scope="col">Day (UTC)</th>
          {modes.map((m) => (
            <th key={m} scope="col">
              {MODE_NAMES[m]} sales
            </th>
          ))}
          {modes.map((m) => (
            <th key={m} scope="col">
              {MODE_NAMES[m]} refunds
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {points.length === 0 && (
          <tr>
            <td colSpan={1 + modes.length * 2}>No sales or refunds on any day.</td>
          </tr>
        )}
        {points.map((p) => (
          <tr key={p.day}>
            <th scope="row">{formatDay(p.day)}</th>
            {modes.map((m) => (
              <td key={m}>
                {money(p[`${m}Gross`])} ({plural(p[`${m}Purchases`], 'purchase')})
              </td>
            ))}
            {modes.map((m) => (
              <td key={m}>
                {money(p[`${m}Refunded`])} ({plural(p[`${m}Refunds`], 'refund')})
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

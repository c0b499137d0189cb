/**
 * An officer's status intervals over effective time as a horizontal bar
 * (docs/reference.md#get-officersofficerid): inline SVG, one segment per interval with its status
 * in words (inside the segment when it fits, and always in the list below it), the "As of" day
 * marked; the colours only repeat what the words say. Only the status badges carry `data-status`
 * (docs/reference.md#web-console); the intervals carry `data-interval-status`.
 */
import type { StatusInterval } from '../../projections';
import { dateInWords, statusWords } from './layout';

const WIDTH = 960;
const BAR_Y = 28;
const BAR_H = 34;
const day = (date: string): number => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000;
const dateOf = (n: number): string => new Date(n * 86_400_000).toISOString().slice(0, 10);

export function StatusBar({ intervals, asOf, id = 'status-bar' }: { intervals: StatusInterval[]; asOf: string; id?: string }) {
  if (intervals.length === 0) return <p>No status intervals are recorded yet.</p>;
  const start = day(intervals[0].from);
  const last = intervals[intervals.length - 1];
  const end = Math.max(last.to ? day(last.to) + 1 : day(last.from) + 90, day(asOf) + 30, start + 30);
  const x = (n: number) => ((n - start) / (end - start)) * WIDTH;
  const asOfX = x(Math.min(Math.max(day(asOf), start), end));
  return (
    <figure class="status-bar">
      <svg viewBox={`0 0 ${WIDTH} 96`} width="100%" role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>Status over time, from {dateInWords(intervals[0].from)}; the list below gives every interval in words.</title>
        {intervals.map((interval) => {
          const x0 = x(day(interval.from));
          const x1 = x(interval.to ? day(interval.to) + 1 : end);
          const w = Math.max(1, x1 - x0);
          const label = statusWords(interval.status, interval.restrictedDuties);
          return (
            <g class={`segment status-${interval.status.toLowerCase().replace(/_/g, '-')}`} data-interval-status={interval.status}>
              <rect x={x0} y={BAR_Y} width={w} height={BAR_H} />
              {w > label.length * 7.5 + 8 && (
                <text x={x0 + 4} y={BAR_Y + BAR_H / 2 + 5}>
                  {label}
                </text>
              )}
            </g>
          );
        })}
        <line class="as-of" x1={asOfX} x2={asOfX} y1={14} y2={BAR_Y + BAR_H + 6} />
        <text class="as-of-label" x={Math.min(asOfX + 4, WIDTH - 150)} y={12}>
          As of {dateInWords(asOf)}
        </text>
        <text class="axis" x={0} y={BAR_Y + BAR_H + 24}>
          {dateInWords(intervals[0].from)}
        </text>
        <text class="axis" x={WIDTH} y={BAR_Y + BAR_H + 24} text-anchor="end">
          {last.to ? dateInWords(dateOf(end - 1)) : `${dateInWords(dateOf(end))} and after`}
        </text>
      </svg>
      <figcaption>
        <ol class="intervals">
          {intervals.map((interval) => (
            <li data-interval-status={interval.status}>
              {interval.to ? `${dateInWords(interval.from)} to ${dateInWords(interval.to)}` : `From ${dateInWords(interval.from)} on`}: {statusWords(interval.status, interval.restrictedDuties)}
              {interval.restrictedDuties.length > 0 && ` (restricted: ${interval.restrictedDuties.join('; ')})`}
            </li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}

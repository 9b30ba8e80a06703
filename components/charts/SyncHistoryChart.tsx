import type { SyncRun } from '@/lib/catalog/schemas';
import { formatJst, t } from '@/lib/i18n';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 48, right: 48, top: 16, bottom: 28 };

/**
 * Sync history at a glance: bars are stock pushes per cycle (right axis), the line is the p95 time
 * from a sale to every mall showing the new quantity (left axis, seconds); red marks cycles with errors.
 */
export function SyncHistoryChart({ runs }: { runs: SyncRun[] }) {
  const shown = runs.filter((r) => r.outcome !== 'skipped').slice(-120);
  if (shown.length === 0) return <p className="muted">{t('sync.noHistory')}</p>;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const maxPushes = Math.max(1, ...shown.map((r) => r.pushes));
  const maxLatency = Math.max(1, ...shown.map((r) => (r.latencyP95Ms ?? 0) / 1000));
  const step = innerW / shown.length;
  const x = (i: number) => PAD.left + i * step + step / 2;
  const yLatency = (s: number) => PAD.top + innerH - (s / maxLatency) * innerH;
  const line = shown
    .map((r, i) => (r.latencyP95Ms === undefined ? undefined : `${x(i)},${yLatency(r.latencyP95Ms / 1000)}`))
    .filter(Boolean)
    .join(' ');
  return (
    <figure className="chart" data-testid="sync-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('sync.chartLabel')}>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} stroke="#999" />
        {shown.map((r, i) => {
          const h = (r.pushes / maxPushes) * innerH;
          return (
            <rect key={r.id ?? i} x={x(i) - step * 0.35} width={step * 0.7} y={PAD.top + innerH - h} height={h} fill={r.errors > 0 ? '#e57373' : '#90caf9'}>
              <title>
                {formatJst(r.startedAt)} — {t('sync.tooltip', { pushes: r.pushes, orders: r.ordersRead, errors: r.errors, p95: r.latencyP95Ms !== undefined ? (r.latencyP95Ms / 1000).toFixed(1) : '-' })}
              </title>
            </rect>
          );
        })}
        {line && <polyline points={line} fill="none" stroke="#bf0000" strokeWidth={2} />}
        <text x={4} y={PAD.top + 10} fontSize={11} fill="#bf0000">{`${maxLatency.toFixed(0)}s`}</text>
        <text x={4} y={PAD.top + innerH} fontSize={11} fill="#bf0000">0s</text>
        <text x={WIDTH - PAD.right + 4} y={PAD.top + 10} fontSize={11} fill="#1565c0">{maxPushes}</text>
        <text x={PAD.left} y={HEIGHT - 8} fontSize={11} fill="#666">{formatJst(shown[0]!.startedAt)}</text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} fontSize={11} fill="#666" textAnchor="end">{formatJst(shown.at(-1)!.startedAt)}</text>
      </svg>
      <figcaption className="muted">{t('sync.chartCaption')}</figcaption>
    </figure>
  );
}

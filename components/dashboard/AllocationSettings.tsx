import { useState } from 'react';
import { useBackground } from '@/components/common/use-background';
import { MALL_IDS, type MallId } from '@/lib/catalog/schemas';
import { formatCount, t } from '@/lib/i18n';
import { callBackground } from '@/lib/messaging/protocol';
import type { AllocationSettings as Settings } from '@/lib/sync/allocation';

type Mode = Settings['mode'];

/** The oversell-proof mode: choose a rule, see what it costs in units the malls cannot sell. */
export function AllocationSettings() {
  const [current, reload] = useBackground('getAllocation', {}, 'allocation');
  const [mode, setMode] = useState<Mode>();
  const [percent, setPercent] = useState<Record<MallId, string>>({ rakuten: '40', yahoo: '30', amazon: '30' });
  const [priority, setPriority] = useState<MallId>('rakuten');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const shown = mode ?? (current.state === 'ready' ? current.data.settings.mode : 'off');
  const save = async () => {
    const settings: Settings =
      shown === 'fixed'
        ? { mode: 'fixed', percent: Object.fromEntries(MALL_IDS.map((m) => [m, Number(percent[m])])) as Record<MallId, number> }
        : shown === 'priority'
          ? { mode: 'priority', order: [priority, ...MALL_IDS.filter((m) => m !== priority)] }
          : shown === 'sales-share'
            ? { mode: 'sales-share', days: 30 }
            : { mode: 'off' };
    const result = await callBackground('saveAllocation', settings);
    setMessage(result.ok ? { ok: true, text: t('allocation.saved', { count: formatCount(result.data.queued) }) } : { ok: false, text: result.error.message });
    reload();
  };
  return (
    <section className="allocation" data-testid="allocation">
      <h3>{t('allocation.title')}</h3>
      <p className="muted">{t('allocation.help')}</p>
      {(['off', 'sales-share', 'fixed', 'priority'] as const).map((m) => (
        <label key={m} style={{ display: 'block' }}>
          <input type="radio" name="allocation-mode" checked={shown === m} onChange={() => setMode(m)} /> {t(`allocation.mode.${m}`)}
        </label>
      ))}
      {shown === 'fixed' && (
        <p>
          {MALL_IDS.map((m) => (
            <label key={m} style={{ marginRight: 12 }}>
              {t(`mall.${m}`)} <input size={3} value={percent[m]} onChange={(e) => setPercent({ ...percent, [m]: e.target.value })} />%
            </label>
          ))}
        </p>
      )}
      {shown === 'priority' && (
        <p>
          <select value={priority} onChange={(e) => setPriority(e.target.value as MallId)}>
            {MALL_IDS.map((m) => (
              <option key={m} value={m}>
                {t(`mall.${m}`)}
              </option>
            ))}
          </select>
        </p>
      )}
      <button type="button" onClick={() => void save()}>
        {t('settings.save')}
      </button>
      {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {current.state === 'ready' && current.data.settings.mode !== 'off' && (
        <p data-testid="allocation-cost">
          {t('allocation.cost', { skus: formatCount(current.data.cost.skus), hidden: formatCount(current.data.cost.hiddenFromBest), unallocated: formatCount(current.data.cost.unallocated) })}
        </p>
      )}
    </section>
  );
}

import type { MallId } from '@/lib/catalog/schemas';
import { t } from '@/lib/i18n';

const SHORT: Record<MallId, string> = { rakuten: '楽', yahoo: 'Y', amazon: 'A' };

export function MallBadges({ malls }: { malls: MallId[] }) {
  return (
    <span className="ich-malls">
      {malls.map((m) => (
        <span key={m} className={`ich-mall ich-mall-${m}`} title={t(`mall.${m}`)}>
          {SHORT[m]}
        </span>
      ))}
    </span>
  );
}

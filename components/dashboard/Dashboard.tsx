import { useState } from 'react';
import { callBackground } from '@/lib/messaging/protocol';
import { t } from '@/lib/i18n';
import { CatalogTable } from './CatalogTable';
import { CredentialsForm } from './CredentialsForm';
import { SyncPanel } from './SyncPanel';

type Tab = 'catalog' | 'sync' | 'settings';
const TABS: Tab[] = ['catalog', 'sync', 'settings'];

export function Dashboard({ demoDataAvailable }: { demoDataAvailable: boolean }) {
  const initial: Tab = TABS.find((id) => location.hash === `#${id}`) ?? 'catalog';
  const [tab, setTab] = useState<Tab>(initial);
  const [notice, setNotice] = useState<string>();
  const loadDemo = async () => {
    const result = await callBackground('loadDemoCatalog', {});
    setNotice(result.ok ? t('dashboard.demoLoaded', { skus: result.data.skus }) : result.error.message);
  };
  return (
    <div className="dashboard">
      <header>
        <h1>{t('appName')}</h1>
        <nav>
          {TABS.map((id) => (
            <button key={id} type="button" className={tab === id ? 'active' : ''} onClick={() => ((location.hash = id), setTab(id))}>
              {t(`dashboard.tab.${id}`)}
            </button>
          ))}
        </nav>
        {demoDataAvailable && (
          <button type="button" onClick={() => void loadDemo()}>
            {t('dashboard.loadDemo')}
          </button>
        )}
        {notice && <span role="status">{notice}</span>}
      </header>
      <main>{tab === 'catalog' ? <CatalogTable /> : tab === 'sync' ? <SyncPanel /> : <CredentialsForm />}</main>
    </div>
  );
}

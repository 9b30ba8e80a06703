import { useState, type ReactNode } from 'react';
import { t } from '@/lib/i18n';

export function PanelFrame({ title, children }: { title: string; children: ReactNode }) {
  const [open, setOpen] = useState(true);
  return (
    <aside className="ich-panel" data-testid="ichigen-panel" lang="ja">
      <header className="ich-panel-header">
        <strong>{title}</strong>
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? t('panel.close') : '▼'}
        </button>
      </header>
      {open && <div className="ich-panel-body">{children}</div>}
    </aside>
  );
}

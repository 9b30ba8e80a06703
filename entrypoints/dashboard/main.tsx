import { createRoot } from 'react-dom/client';
import '@/components/common/app.css';
import { Dashboard } from '@/components/dashboard/Dashboard';
import { currentLanguage } from '@/lib/i18n';

document.documentElement.lang = currentLanguage();
createRoot(document.getElementById('root')!).render(<Dashboard demoDataAvailable={import.meta.env.MODE !== 'production'} />);

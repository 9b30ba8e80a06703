import { createRoot } from 'react-dom/client';
import '@/components/common/app.css';
import { Popup } from '@/components/popup/Popup';
import { currentLanguage } from '@/lib/i18n';

document.documentElement.lang = currentLanguage();
createRoot(document.getElementById('root')!).render(<Popup />);

import type { PanelFeature } from '../features';
import { CatalogPanel } from './CatalogPanel';

export const catalogPanelFeature: PanelFeature = {
  id: 'catalog-panel',
  appliesTo: () => true,
  render: (context) => <CatalogPanel context={context} />,
};

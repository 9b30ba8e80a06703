import { catalogPanelFeature } from './catalog-panel';
import type { PanelFeature } from './features';

export const panelFeatures: PanelFeature[] = [catalogPanelFeature];

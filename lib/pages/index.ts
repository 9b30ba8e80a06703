import type { MallId } from '../catalog/schemas';
import { amazonPageAdapter } from './amazon';
import { rakutenPageAdapter } from './rakuten';
import type { PageAdapter } from './types';
import { yahooPageAdapter } from './yahoo';

export const pageAdapters: Record<MallId, PageAdapter> = {
  rakuten: rakutenPageAdapter,
  yahoo: yahooPageAdapter,
  amazon: amazonPageAdapter,
};
export type { PageAdapter };

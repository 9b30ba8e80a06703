import { describe, expect, it } from 'vitest';
import { allocate, allocationCost, allocationSettingsSchema, type AllocationSettings } from '@/lib/sync/allocation';

const malls = ['rakuten', 'yahoo', 'amazon'] as const;

describe('allocation', () => {
  it('never shows more than the stock in total, whatever the rule', () => {
    for (let stock = 0; stock < 40; stock++) {
      const rules: AllocationSettings[] = [
        { mode: 'sales-share', days: 30 },
        { mode: 'fixed', percent: { rakuten: 50, yahoo: 30, amazon: 20 } },
        { mode: 'priority', order: ['amazon', 'rakuten'] },
      ];
      for (const settings of rules) {
        const a = allocate(stock, [...malls], settings, { rakuten: 7, yahoo: 2, amazon: 1 });
        expect(Object.values(a).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(stock);
        if (settings.mode !== 'fixed') expect(Object.values(a).reduce((x, y) => x + y, 0)).toBe(stock);
      }
    }
  });

  it('splits by recent sales, equally without sales, and gives the rest by largest remainder', () => {
    expect(allocate(10, [...malls], { mode: 'sales-share', days: 30 }, { rakuten: 6, yahoo: 3, amazon: 1 })).toEqual({ rakuten: 6, yahoo: 3, amazon: 1 });
    expect(allocate(10, [...malls], { mode: 'sales-share', days: 30 })).toEqual({ rakuten: 4, yahoo: 3, amazon: 3 });
    expect(allocate(1, [...malls], { mode: 'sales-share', days: 30 }, { yahoo: 5 })).toEqual({ rakuten: 0, yahoo: 1, amazon: 0 });
  });

  it('fixed percentages below 100 keep the rest back, and that is the cost shown', () => {
    const a = allocate(10, [...malls], { mode: 'fixed', percent: { rakuten: 40, yahoo: 40 } });
    expect(a).toEqual({ rakuten: 4, yahoo: 4, amazon: 0 });
    expect(allocationCost(10, a)).toEqual({ hiddenFromBest: 6, unallocated: 2 });
  });

  it('off shows every unit everywhere; priority gives all to the first mall that lists the SKU', () => {
    expect(allocate(5, ['yahoo', 'amazon'], { mode: 'off' })).toEqual({ yahoo: 5, amazon: 5 });
    expect(allocate(5, ['yahoo', 'amazon'], { mode: 'priority', order: ['rakuten', 'amazon'] })).toEqual({ yahoo: 0, amazon: 5 });
  });

  it('refuses percentages over 100 in total', () => {
    expect(allocationSettingsSchema.safeParse({ mode: 'fixed', percent: { rakuten: 60, yahoo: 50 } }).success).toBe(false);
  });
});

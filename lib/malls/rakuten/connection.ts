import { MallError } from '../errors';
import type { ConnectionReport } from '../types';
import { inventoryBulkGetSchema, licenseExpirySchema, searchOrderSchema } from './schemas';
import { formatOrderDatetime, parseRmsDatetime } from './time';
import { parseBody, rakutenError, type RakutenTransport } from './transport';

/** `license.expiryDate.get` (spec §2): the key's expiry, `2026-11-28T23:59:59` with JST implied. */
export async function licenseKeyExpiry(t: RakutenTransport): Promise<number> {
  const endpoint = 'license.expiryDate.get';
  const res = await t.send({
    endpoint,
    bucket: 'license.expiryDate.get',
    method: 'GET',
    path: '/es/1.0/license-management/license-key/expiry-date',
    credentialQuery: ({ licenseKey }) => ({ licenseKey }),
  });
  if (res.status !== 200) throw rakutenError(endpoint, res.status, res.json);
  return parseRmsDatetime(parseBody(endpoint, res, licenseExpirySchema).expiryDate)!;
}

/**
 * The checks run in order, one call each: the license key (and its expiry), then a cheap read of every
 * function Ichigen needs switched on in 利用機能編集 (spec §1), so the report says which one is missing.
 * getOrder / confirmOrder / updateOrderShipping cannot be probed without an order: searchOrder stands
 * for the order API.
 */
export async function testConnection(t: RakutenTransport, now: () => number): Promise<ConnectionReport> {
  const report: ConnectionReport = { ok: true, checks: [] };
  const checks: [string, () => Promise<void>][] = [
    [
      'license-key',
      async () => {
        report.expiries = [{ what: 'license-key', expiresAt: await licenseKeyExpiry(t) }];
      },
    ],
    [
      'inventory',
      async () => {
        const endpoint = 'inventories.bulk.get';
        // A key that does not exist answers 200 with no rows: proof of access without reading stock.
        const res = await t.send({ endpoint, bucket: 'inventories.bulk.get', method: 'POST', path: '/es/2.0/inventories/bulk-get', body: { inventories: [{ manageNumber: 'ichigen-connection-check', variantId: 'check' }] } });
        if (res.status !== 200) throw rakutenError(endpoint, res.status, res.json);
        parseBody(endpoint, res, inventoryBulkGetSchema);
      },
    ],
    [
      'orders',
      async () => {
        const endpoint = 'searchOrder';
        const to = now();
        const res = await t.send({
          endpoint,
          bucket: 'rpay.order',
          method: 'POST',
          path: '/es/2.0/order/searchOrder/',
          body: {
            dateType: 1,
            startDatetime: formatOrderDatetime(to - 3_600_000),
            endDatetime: formatOrderDatetime(to),
            PaginationRequestModel: { requestRecordsAmount: 1, requestPage: 1 },
          },
        });
        if (res.status !== 200) throw rakutenError(endpoint, res.status, res.json);
        parseBody(endpoint, res, searchOrderSchema);
      },
    ],
  ];
  for (const [name, run] of checks) {
    try {
      await run();
      report.checks.push({ name, ok: true });
    } catch (caught) {
      if (!(caught instanceof MallError)) throw caught;
      report.ok = false;
      report.checks.push({ name, ok: false, error: caught.toJSON() });
      // A rejected key or an unreachable host fails every later check the same way; a function that is
      // not enabled (permission) says nothing about the others.
      if (caught.kind === 'auth' || caught.kind === 'network' || caught.kind === 'timeout') break;
    }
  }
  return report;
}

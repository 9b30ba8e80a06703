import type { FaultController } from '../core/faults';
import type { ResolvedOptions } from './config';
import { itemError, itemErrors, type Reply, type RmsError } from './errors';
import { checkVariantId, normalizeManageNumber } from './items';
import { isPlainObject, slotKey, type InventoryRow, type RakutenStore } from './store';
import { isoJst } from './time';

/**
 * InventoryAPI 2.0 / 2.1 (spec §5). The quantity stored here is what buyers see: placeBuyerOrder takes
 * from it and cancellations give back to it.
 */

export type InventoryVersion = '2.0' | '2.1';
export const MAX_QUANTITY = 99_999;
export const BULK_GET_MAX = 1_000;
export const BULK_UPSERT_MAX = 400;
const MAX_VARIANTS_PER_ITEM = 400;

export interface InventoryDeps {
  store: RakutenStore;
  now(): number;
  options: ResolvedOptions;
  faults: FaultController;
}

interface Op {
  manageNumber: string;
  variantId: string;
  mode: 'ABSOLUTE' | 'RELATIVE';
  quantity: number;
  operationLeadTime?: InventoryRow['operationLeadTime'];
  shipFromIds?: InventoryRow['shipFromIds'];
}

export function inventoryJson(row: InventoryRow, version: InventoryVersion, withManageNumber = true): Record<string, unknown> {
  return {
    ...(withManageNumber ? { manageNumber: row.manageNumber } : {}),
    variantId: row.variantId,
    quantity: row.quantity,
    ...(version === '2.1' ? { operationLeadTime: row.operationLeadTime ?? null, shipFromIds: row.shipFromIds ?? null } : {}),
    created: isoJst(row.created),
    updated: isoJst(row.updated),
  };
}

function err(code: string, message: string, propertyPath: string): RmsError {
  return { code, message, metadata: { propertyPath } };
}

function fieldsFor(version: InventoryVersion, withKeys: boolean): Set<string> {
  const f = ['mode', 'quantity'];
  if (withKeys) f.push('manageNumber', 'variantId');
  if (version === '2.1') f.push('operationLeadTime', 'shipFromIds');
  return new Set(f);
}

/** Shape checks that need no state. `prefix` is '' for single calls, `inventories[i].` for bulk. */
function parseOp(raw: unknown, prefix: string, version: InventoryVersion, keys?: { manageNumber: string; variantId: string }): { op: Op } | { errors: RmsError[] } {
  const errors: RmsError[] = [];
  const at = (f: string) => `${prefix}${f}`;
  if (!isPlainObject(raw)) return { errors: [err('IE0002', `${prefix || 'body'} has an invalid value.`, prefix.replace(/\.$/, '') || 'body')] };
  const allowed = fieldsFor(version, !keys);
  for (const k of Object.keys(raw)) if (!allowed.has(k)) errors.push(err('IE0002', `Unrecognized field "${k}"`, at(k)));
  let manageNumber = keys?.manageNumber ?? '';
  let variantId = keys?.variantId ?? '';
  if (!keys) {
    const mn = normalizeManageNumber(raw.manageNumber, at('manageNumber'));
    if ('error' in mn) errors.push(mn.error);
    else manageNumber = mn.value;
    const vidError = checkVariantId(raw.variantId, at('variantId'));
    if (vidError) errors.push(vidError);
    else variantId = raw.variantId as string;
  }
  const mode = raw.mode;
  if (mode === undefined || mode === null) errors.push(err('IE0001', 'mode is required.', at('mode')));
  else if (mode !== 'ABSOLUTE' && mode !== 'RELATIVE') errors.push(err('IE0007', `mode has an invalid value : ${String(mode)}.`, at('mode')));
  const q = raw.quantity;
  if (q === undefined || q === null) errors.push(err('IE0001', 'quantity is required.', at('quantity')));
  else if (typeof q !== 'number' || !Number.isInteger(q)) errors.push(err('IE0002', `quantity has an invalid value : ${typeof q === 'string' ? q : JSON.stringify(q)}.`, at('quantity')));
  else if (mode === 'ABSOLUTE' && (q < 0 || q > MAX_QUANTITY)) errors.push(err('IE0003', `quantity is out of range. (0-${MAX_QUANTITY})`, at('quantity')));
  else if (mode === 'RELATIVE' && (q < -MAX_QUANTITY || q > MAX_QUANTITY)) errors.push(err('IE0003', `quantity is out of range. (-${MAX_QUANTITY}-${MAX_QUANTITY})`, at('quantity')));
  if (version === '2.1') {
    const lt = raw.operationLeadTime;
    if (lt !== undefined && lt !== null && !isPlainObject(lt)) errors.push(err('IE0002', 'operationLeadTime has an invalid value.', at('operationLeadTime')));
    const sf = raw.shipFromIds;
    if (sf !== undefined && sf !== null && (!Array.isArray(sf) || sf.some((n) => typeof n !== 'number' || !Number.isInteger(n)))) {
      errors.push(err('IE0002', 'shipFromIds has an invalid value.', at('shipFromIds')));
    }
  }
  if (errors.length > 0) return { errors };
  const op: Op = { manageNumber, variantId, mode: mode as Op['mode'], quantity: q as number };
  if (version === '2.1') {
    // 2.1 upsert is a full replace: omitted lead-time fields are cleared (spec §5, V21-UP).
    op.operationLeadTime = (raw.operationLeadTime as Op['operationLeadTime']) ?? null;
    op.shipFromIds = (raw.shipFromIds as number[] | undefined) ?? null;
  }
  return { op };
}

/** Rules that depend on stored rows: ABSOLUTE first (IE0500), result range (IE0117). */
function stateErrors(store: RakutenStore, op: Op, prefix: string): RmsError[] {
  const row = store.inventory.get(slotKey(op.manageNumber, op.variantId));
  if (op.mode === 'RELATIVE') {
    if (!row) {
      return [err('IE0500', `The first update of an inventory must use mode ABSOLUTE; manageNumber=${op.manageNumber}, variantId=${op.variantId}`, `${prefix}mode`)];
    }
    const result = row.quantity + op.quantity;
    if (result < 0 || result > MAX_QUANTITY) {
      return [err('IE0117', `quantity after update is out of range. (0-${MAX_QUANTITY}) : ${result}`, `${prefix}quantity`)];
    }
  }
  return [];
}

function apply(store: RakutenStore, op: Op, now: number): void {
  const key = slotKey(op.manageNumber, op.variantId);
  const row = store.inventory.get(key);
  const quantity = op.mode === 'ABSOLUTE' ? op.quantity : (row?.quantity ?? 0) + op.quantity;
  const next: InventoryRow = row ? { ...row, quantity, updated: now } : { manageNumber: op.manageNumber, variantId: op.variantId, quantity, created: now, updated: now };
  if (op.operationLeadTime !== undefined) next.operationLeadTime = op.operationLeadTime;
  if (op.shipFromIds !== undefined) next.shipFromIds = op.shipFromIds;
  store.inventory.set(key, next);
}

function variantCount(store: RakutenStore, manageNumber: string): Set<string> {
  const ids = new Set<string>();
  for (const row of store.inventory.values()) if (row.manageNumber === manageNumber) ids.add(row.variantId);
  return ids;
}

function pathKeys(rawMn: string, rawVid: string): { manageNumber: string; variantId: string } | Reply {
  const mn = normalizeManageNumber(rawMn);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  const vidError = checkVariantId(rawVid, 'variantId');
  if (vidError) return itemErrors(400, [vidError]);
  return { manageNumber: mn.value, variantId: rawVid };
}

export function variantsGet(d: InventoryDeps, version: InventoryVersion, rawMn: string, rawVid: string): Reply {
  const keys = pathKeys(rawMn, rawVid);
  if ('status' in keys) return keys;
  const row = d.store.inventory.get(slotKey(keys.manageNumber, keys.variantId));
  if (!row) return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${keys.manageNumber}, variantId=${keys.variantId}`);
  return { status: 200, body: inventoryJson(row, version) };
}

export function variantsUpsert(d: InventoryDeps, version: InventoryVersion, rawMn: string, rawVid: string, body: unknown): Reply {
  const keys = pathKeys(rawMn, rawVid);
  if ('status' in keys) return keys;
  if (!isPlainObject(body)) return itemError(400, 'GE0011', 'Request body is empty or not a JSON object.');
  const parsed = parseOp(body, '', version, keys);
  if ('errors' in parsed) return itemErrors(400, parsed.errors);
  const errors = stateErrors(d.store, parsed.op, '');
  const ids = variantCount(d.store, keys.manageNumber);
  ids.add(keys.variantId);
  if (ids.size > MAX_VARIANTS_PER_ITEM) errors.push(err('IE0121', `More than ${MAX_VARIANTS_PER_ITEM} variants for manageNumber=${keys.manageNumber}.`, 'variantId'));
  if (errors.length > 0) return itemErrors(400, errors);
  apply(d.store, parsed.op, d.now());
  return { status: 204 };
}

export function variantsDelete(d: InventoryDeps, rawMn: string, rawVid: string): Reply {
  const keys = pathKeys(rawMn, rawVid);
  if ('status' in keys) return keys;
  if (!d.store.inventory.delete(slotKey(keys.manageNumber, keys.variantId))) {
    return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${keys.manageNumber}, variantId=${keys.variantId}`);
  }
  return { status: 204 };
}

function listOf(body: unknown, max: number): unknown[] | Reply {
  if (!isPlainObject(body)) return itemError(400, 'GE0011', 'Request body is empty or not a JSON object.');
  for (const k of Object.keys(body)) if (k !== 'inventories') return itemError(400, 'IE0002', `Unrecognized field "${k}"`, k);
  const list = body.inventories;
  if (!Array.isArray(list) || list.length === 0) return itemError(400, 'IE0001', 'inventories is required.', 'inventories');
  if (list.length > max) return itemError(400, 'IE1101', `inventories is too long. (max ${max})`, 'inventories');
  return list;
}

export function bulkGet(d: InventoryDeps, version: InventoryVersion, body: unknown): Reply {
  const list = listOf(body, BULK_GET_MAX);
  if (!Array.isArray(list)) return list;
  const errors: RmsError[] = [];
  const seen = new Set<string>();
  const keys: string[] = [];
  list.forEach((raw, i) => {
    const p = `inventories[${i}].`;
    if (!isPlainObject(raw)) return errors.push(err('IE0002', `inventories[${i}] has an invalid value.`, `inventories[${i}]`));
    for (const k of Object.keys(raw)) if (k !== 'manageNumber' && k !== 'variantId') errors.push(err('IE0002', `Unrecognized field "${k}"`, `${p}${k}`));
    const mn = normalizeManageNumber(raw.manageNumber, `${p}manageNumber`);
    const vidError = checkVariantId(raw.variantId, `${p}variantId`);
    if ('error' in mn) errors.push(mn.error);
    if (vidError) errors.push(vidError);
    if ('error' in mn || vidError) return;
    const key = slotKey(mn.value, raw.variantId as string);
    if (seen.has(key)) errors.push(err('IE1102', `Duplicate inventory key; manageNumber=${mn.value}, variantId=${String(raw.variantId)}`, `inventories[${i}]`));
    seen.add(key);
    keys.push(key);
  });
  if (errors.length > 0) return itemErrors(400, errors);
  // Unknown keys are simply absent from the answer (spec §5 table: only stored rows come back).
  const inventories = keys.flatMap((k) => {
    const row = d.store.inventory.get(k);
    return row ? [inventoryJson(row, version)] : [];
  });
  return { status: 200, body: { inventories } };
}

export function bulkGetRange(d: InventoryDeps, version: InventoryVersion, url: URL): Reply {
  const errors: RmsError[] = [];
  const bound = (name: string): number | undefined => {
    const raw = url.searchParams.get(name);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) > MAX_QUANTITY) {
      errors.push(err('IE0002', `${name} has an invalid value : ${raw}.`, name));
      return undefined;
    }
    return Number(raw);
  };
  const min = bound('minQuantity');
  const max = bound('maxQuantity');
  if (errors.length > 0) return itemErrors(400, errors);
  if (min === undefined && max === undefined) return itemError(400, 'IE0105', 'Either minQuantity or maxQuantity is required.', 'minQuantity');
  if (min !== undefined && max !== undefined && min > max) return itemError(400, 'IE0113', 'minQuantity must not be greater than maxQuantity.', 'minQuantity');
  const rows = [...d.store.inventory.values()].filter((r) => (min === undefined || r.quantity >= min) && (max === undefined || r.quantity <= max));
  if (rows.length > BULK_GET_MAX) return itemError(400, 'IE0116', `The result exceeds ${BULK_GET_MAX} rows; narrow the range.`, 'minQuantity');
  rows.sort((a, b) => b.updated - a.updated);
  return { status: 200, body: { inventories: rows.map((r) => inventoryJson(r, version)) } };
}

/**
 * inventories.bulk.upsert (spec §5). Validation is all-or-nothing by default (400 with every error,
 * nothing applied). The `partial` fault models rows that fail after validation while the others are
 * applied: answer `partialFailureStatus` (409) with one `CE0001` conflict per failed row, each pointing at
 * `inventories[i]` the way bulk errors do (spec §5 "bulk errors use metadata.propertyPath like
 * inventories[0].manageNumber"). Whether RMS can really half-apply is UNCERTAIN (spec §5 last bullet),
 * which is exactly why a client must cope: retrying the whole batch would double RELATIVE rows.
 */
export function bulkUpsert(d: InventoryDeps, version: InventoryVersion, body: unknown, path: string, skuOf: (mn: string, vid: string) => string | undefined): Reply {
  const list = listOf(body, BULK_UPSERT_MAX);
  if (!Array.isArray(list)) return list;
  const errors: RmsError[] = [];
  const ops: (Op | null)[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const prefix = `inventories[${i}].`;
    const parsed = parseOp(raw, prefix, version);
    if ('errors' in parsed) {
      errors.push(...parsed.errors);
      ops.push(null);
      return;
    }
    const key = slotKey(parsed.op.manageNumber, parsed.op.variantId);
    const rowErrors = stateErrors(d.store, parsed.op, prefix);
    if (seen.has(key)) rowErrors.push(err('IE1102', `Duplicate inventory key; manageNumber=${parsed.op.manageNumber}, variantId=${parsed.op.variantId}`, `inventories[${i}]`));
    seen.add(key);
    errors.push(...rowErrors);
    ops.push(rowErrors.length > 0 ? null : parsed.op);
  });
  const perItem = new Map<string, Set<string>>();
  ops.forEach((op, i) => {
    if (!op) return;
    const ids = perItem.get(op.manageNumber) ?? variantCount(d.store, op.manageNumber);
    ids.add(op.variantId);
    perItem.set(op.manageNumber, ids);
    if (ids.size > MAX_VARIANTS_PER_ITEM) {
      errors.push(err('IE0121', `More than ${MAX_VARIANTS_PER_ITEM} variants for manageNumber=${op.manageNumber}.`, `inventories[${i}].variantId`));
      ops[i] = null;
    }
  });
  const now = d.now();
  if (errors.length > 0) {
    if (d.options.bulkUpsertValidation === 'per-item') for (const op of ops) if (op) apply(d.store, op, now);
    return itemErrors(400, errors);
  }

  const fault = d.faults.take('rakuten', path, ['partial']);
  const failing = new Set<number>();
  if (fault) {
    ops.forEach((op, i) => {
      if (!op) return;
      const ids = [op.variantId, `${op.manageNumber}:${op.variantId}`, skuOf(op.manageNumber, op.variantId)];
      // Without a list, "every other item" (core/faults.ts) starting with the first, so a one-row batch fails too.
      if (fault.items ? ids.some((id) => id !== undefined && fault.items!.includes(id)) : i % 2 === 0) failing.add(i);
    });
  }
  ops.forEach((op, i) => {
    if (op && !failing.has(i)) apply(d.store, op, now);
  });
  if (failing.size === 0) return { status: 204 };
  return itemErrors(
    d.options.partialFailureStatus,
    [...failing].map((i) => {
      const op = ops[i]!;
      return err('CE0001', `Conflict occurred; manageNumber=${op.manageNumber}, variantId=${op.variantId}. Please retry.`, `inventories[${i}]`);
    }),
  );
}

export function variantListsGet(d: InventoryDeps, rawMn: string): Reply {
  const mn = normalizeManageNumber(rawMn);
  if ('error' in mn) return itemErrors(400, [mn.error]);
  const rows = [...d.store.inventory.values()].filter((r) => r.manageNumber === mn.value);
  if (rows.length === 0) return itemError(404, 'GE0014', `Not found for inputs; manageNumber=${mn.value}`);
  const created = Math.min(...rows.map((r) => r.created));
  const updated = Math.max(...rows.map((r) => r.updated));
  return {
    status: 200,
    body: { manageNumber: mn.value, variantList: rows.map((r) => inventoryJson(r, '2.1', false)), created: isoJst(created), updated: isoJst(updated) },
  };
}

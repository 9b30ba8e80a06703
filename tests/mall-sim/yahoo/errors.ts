/** Error codes the spec documents (§2, §4, §1). */
export const CODES = {
  itemNotFound: 'it-05002',
  pathTooDeep: 'it-01001',
  pathNameTooLong: 'it-01002',
  nameTooLong: 'it-02004',
  priceRange: 'it-02008',
  stockBadCode: 'st-02101',
  stockBadQuantity: 'st-02104',
  sessionTooShort: 'px-04102',
  orderApiNotRegistered: 'px-04303',
  apiNotPermitted: 'px-14303',
  statusUnchanged: 'od91705',
} as const;

/**
 * Codes for cases the spec documents no code for. They use the documented prefixes with a 9xxxx number
 * Yahoo's tables never show, so a client can log them but should not build logic on the exact value.
 */
export const SIM_CODES = {
  sellerMismatch: 'px-90001',
  badRequest: 'px-90002',
  itemRequired: 'it-90001',
  itemInvalid: 'it-90002',
  itemOptions: 'it-90003',
  itemSubcodes: 'it-90004',
  updateItemsFormat: 'it-90005',
  publishParam: 'it-90006',
  stockTooMany: 'st-90001',
  stockParam: 'st-90002',
  orderNotFound: 'od90001',
  orderParam: 'od90002',
  orderReadOnly: 'od90003',
  orderTransition: 'od90004',
  orderShipParam: 'od90005',
} as const;

import type { Listing, MallId } from './schemas';

/**
 * The variant part of a listing's identity on its mall (Rakuten variantId, Yahoo sub-code); Amazon
 * listings are one per seller SKU, so `externalItemId` alone names them.
 */
export function listingVariantRef(listing: Listing): string | undefined {
  switch (listing.mall) {
    case 'rakuten':
      return listing.rakuten.variantId;
    case 'yahoo':
      return listing.yahoo.subCode;
    case 'amazon':
      return undefined;
  }
}

/** Finds the listing an order line names, among the listings of its mall item. */
export function matchListing(candidates: Listing[], variantRef: string | undefined): Listing | undefined {
  if (candidates.length === 1 && variantRef === undefined) return candidates[0];
  return candidates.find((l) => listingVariantRef(l) === variantRef) ?? (variantRef === undefined ? undefined : candidates.find((l) => listingVariantRef(l) === undefined));
}

/** Rakuten folds manageNumber to lower case (rakuten-rms-api.md §3); the others are case-sensitive. */
export function normaliseExternalItemId(mall: MallId, id: string): string {
  return mall === 'rakuten' ? id.toLowerCase() : id;
}

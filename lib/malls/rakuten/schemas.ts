import { z } from 'zod';
import { parseRmsDatetime } from './time';

/**
 * The shapes Ichigen relies on, per API family (spec §3). Objects strip unknown keys, so fields RMS adds
 * later do not break parsing; a field we read that is missing or mistyped does, naming the field.
 */

const rmsDatetime = z.string().refine((v) => parseRmsDatetime(v) !== null, { message: 'not an RMS date-time' });
const int = z.number().int();

// ------------------------------------------------------------------------------------------- errors

export const messageModelSchema = z.object({
  messageType: z.enum(['INFO', 'WARNING', 'ERROR']),
  messageCode: z.string(),
  message: z.string().nullish(),
  orderNumber: z.string().nullish(),
  dataNumber: int.nullish(),
  shippingDetailId: int.nullish(),
});
export type MessageModel = z.infer<typeof messageModelSchema>;

export const rmsErrorSchema = z.object({
  code: z.string(),
  message: z.string().nullish(),
  metadata: z.object({ propertyPath: z.string().nullish() }).nullish(),
});
export type RmsError = z.infer<typeof rmsErrorSchema>;

/** Any of the three error families: gateway `Results`, Item/Inventory `errors[]`, order `MessageModelList`. */
export const rmsErrorBodySchema = z.object({
  Results: z.object({ errorCode: z.string(), message: z.string().nullish() }).nullish(),
  errors: z.array(rmsErrorSchema).nullish(),
  MessageModelList: z.array(messageModelSchema).nullish(),
});

export const itemErrorsBodySchema = z.object({ errors: z.array(rmsErrorSchema).min(1) });

// ------------------------------------------------------------------------------------------ license

export const licenseExpirySchema = z.object({ expiryDate: rmsDatetime });

// ---------------------------------------------------------------------------------------- inventory

export const inventoryBulkGetSchema = z.object({
  inventories: z.array(
    z.object({
      manageNumber: z.string().min(1),
      variantId: z.string().min(1),
      quantity: int.nonnegative(),
    }),
  ),
});

// ------------------------------------------------------------------------------------------- orders

export const searchOrderSchema = z.object({
  orderNumberList: z.array(z.string().min(1)),
  // Zero hits: every pagination field null (spec §6.2).
  PaginationResponseModel: z
    .object({ totalRecordsAmount: int.nullable(), totalPages: int.nullable(), requestPage: int.nullable() })
    .nullable(),
});

const personSchema = z.object({
  zipCode1: z.string().nullish(),
  zipCode2: z.string().nullish(),
  prefecture: z.string().nullish(),
  city: z.string().nullish(),
  subAddress: z.string().nullish(),
  familyName: z.string(),
  firstName: z.string().nullish(),
  familyNameKana: z.string().nullish(),
  firstNameKana: z.string().nullish(),
  phoneNumber1: z.string().nullish(),
  phoneNumber2: z.string().nullish(),
  phoneNumber3: z.string().nullish(),
  emailAddress: z.string().nullish(),
});
export type PersonModel = z.infer<typeof personSchema>;

const shippingModelSchema = z.object({
  shippingDetailId: int,
  shippingNumber: z.string().nullish(),
  deliveryCompany: z.string().nullish(),
  shippingDate: z.string().nullish(),
});

const itemModelSchema = z.object({
  itemName: z.string(),
  manageNumber: z.string().min(1),
  price: int,
  priceTaxIncl: int.nullish(),
  units: int.positive(),
  // v7+: empty or absent for orders placed before the shop's SKU migration (spec §6.3).
  SkuModelList: z.array(z.object({ variantId: z.string().nullish() })).nullish(),
});

const packageModelSchema = z.object({
  basketId: int,
  // Despite its name, the ship-to address (spec §6.3).
  SenderModel: personSchema,
  ItemModelList: z.array(itemModelSchema),
  ShippingModelList: z.array(shippingModelSchema).nullish(),
});
export type PackageModel = z.infer<typeof packageModelSchema>;

export const orderModelSchema = z.object({
  orderNumber: z.string().min(1),
  orderProgress: int,
  orderDatetime: rmsDatetime,
  shopOrderCfmDatetime: rmsDatetime.nullish(),
  orderFixDatetime: rmsDatetime.nullish(),
  shippingInstDatetime: rmsDatetime.nullish(),
  shippingCmplRptDatetime: rmsDatetime.nullish(),
  // -9999 = not yet determined (spec §6.3).
  totalPrice: int,
  OrdererModel: personSchema,
  PackageModelList: z.array(packageModelSchema),
  ChangeReasonModelList: z
    .array(z.object({ changeRegisterDatetime: rmsDatetime.nullish(), changeApplyDatetime: rmsDatetime.nullish() }))
    .nullish(),
});
export type OrderModel = z.infer<typeof orderModelSchema>;

export const getOrderSchema = z.object({
  OrderModelList: z.array(orderModelSchema),
  MessageModelList: z.array(messageModelSchema),
});

export const messagesSchema = z.object({ MessageModelList: z.array(messageModelSchema) });

// -------------------------------------------------------------------------------------------- items

export const itemSchema = z.object({
  manageNumber: z.string().min(1),
  title: z.string(),
  variantSelectors: z
    .array(z.object({ key: z.string(), displayName: z.string(), values: z.array(z.object({ displayValue: z.string() })) }))
    .nullish(),
  variants: z.record(z.string(), z.object({ selectorValues: z.record(z.string(), z.string()).nullish() })),
});
export type ItemModel = z.infer<typeof itemSchema>;

export const itemCreatedSchema = z.object({ manageNumber: z.string().min(1) });

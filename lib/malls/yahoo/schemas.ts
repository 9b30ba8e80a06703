import { z } from 'zod';

/**
 * zod shapes of the Yahoo answers this client reads, after fast-xml-parser (values are strings, an
 * empty element is '', attributes are `@_name`). Only the fields the client uses are required; the
 * rest are stripped. Spec sections in /work/shared/specs/yahoo-store-api.md.
 */

/** A repeated element: absent or empty → [], one → [one], several → as is. */
export function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

/** An element whose text is what we want; an element with attributes parses as an object with `#text`. */
export const text = z.preprocess((v) => (v && typeof v === 'object' && '#text' in v ? (v as { '#text': unknown })['#text'] : v), z.string());
const optionalText = text.optional();
export const intText = z.string().regex(/^-?\d+$/, 'expected an integer').transform(Number);
const yenText = z.string().regex(/^\d+$/, 'expected whole yen').transform(Number);

// --- errors (§4) ---------------------------------------------------------------------------------

export const errorBodySchema = z.object({
  Error: z.object({ Message: optionalText, Code: optionalText, Detail: z.unknown().optional() }),
});

// --- ID連携 token endpoint (§1.2) -------------------------------------------------------------------

export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().optional(),
});
export type TokenAnswer = z.infer<typeof tokenAnswerSchema>;

export const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  error_code: z.number().optional(),
});

// --- stock (§2.3, §2.4) --------------------------------------------------------------------------

export const getStockSchema = z.object({
  ResultSet: z.object({
    Result: list(
      z.object({
        ItemCode: text,
        SubCode: text.default(''),
        Status: z.enum(['0', '1']),
        /** Empty = unlimited (legacy). */
        Quantity: z.string().regex(/^(-?\d+)?$/, 'expected an integer or empty').optional(),
      }),
    ),
  }),
});

export const setStockSchema = z.object({
  ResultSet: z.object({
    Result: list(
      z.object({
        ItemCode: text,
        SubCode: text.default(''),
        Quantity: z.string().regex(/^(-?\d+)?$/, 'expected an integer or empty').optional(),
        ErrorCode: optionalText,
      }),
    ),
  }),
});

// --- items (§2.1, §2.2, §2.5, §2.6) --------------------------------------------------------------

const itemErrorSchema = z.object({ Target: optionalText, Code: optionalText, Message: optionalText });

export const editItemSchema = z.object({
  ResultSet: z.object({
    Result: z.object({ Status: z.enum(['OK', 'NG']), Error: list(itemErrorSchema).optional() }),
  }),
});

export const updateItemsSchema = z.object({
  ResultSet: z.object({
    Status: z.enum(['OK', 'NG']),
    Result: list(z.object({ ItemCode: text.default(''), Error: list(itemErrorSchema).optional() })).optional(),
  }),
});

export const getItemSchema = z.object({
  ResultSet: z.object({
    Result: z.object({
      ItemCode: text,
      Name: text,
      Price: text,
      SalePrice: text.default(''),
      EditingFlag: z.enum(['0', '1']).optional(),
      SubCodes: z
        .object({ SubCode: list(z.object({ '@_code': z.string().min(1), Price: optionalText })) })
        .optional()
        .or(z.literal('')),
    }),
  }),
});

export const reservePublishSchema = z.object({
  ResultSet: z.object({ Status: z.literal('OK'), ReserveTime: text.default('') }),
});

// --- orders (§3) ---------------------------------------------------------------------------------

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The orderList fields the cursor reads (LastUpdateTime / PublicationTime / IsReadOnly drive it). */
export const ORDER_LIST_FIELDS = ['OrderId', 'OrderTime', 'LastUpdateTime', 'PublicationTime', 'IsReadOnly', 'OrderStatus', 'ShipStatus', 'IsSeen'] as const;

export const orderListSchema = z.object({
  Result: z.object({
    Status: z.enum(['OK', 'NG']),
    Error: z.object({ Code: optionalText, Message: optionalText }).optional(),
    Search: z
      .object({
        TotalCount: intText,
        OrderInfo: list(
          z.object({
            OrderId: text.pipe(z.string().min(1)),
            OrderTime: text,
            LastUpdateTime: text,
            PublicationTime: text.default(''),
            IsReadOnly: z.enum(['0', '1']),
            OrderStatus: text,
            ShipStatus: text.default(''),
            IsSeen: text.default(''),
          }),
        ),
      })
      .optional(),
  }),
});
export type OrderListEntry = NonNullable<z.infer<typeof orderListSchema>['Result']['Search']>['OrderInfo'][number];

/** orderInfo Field list (§3.2). */
export const ORDER_INFO_FIELDS = [
  'OrderId',
  'OrderTime',
  'LastUpdateTime',
  'OrderStatus',
  'IsSeen',
  'IsReadOnly',
  'ShipStatus',
  'TotalPrice',
  'BillFirstName',
  'BillFirstNameKana',
  'BillLastName',
  'BillLastNameKana',
  'BillMailAddress',
  'BillPhoneNumber',
  'ShipFirstName',
  'ShipLastName',
  'ShipZipCode',
  'ShipPrefecture',
  'ShipCity',
  'ShipAddress1',
  'ShipAddress2',
  'ShipPhoneNumber',
  'LineId',
  'ItemId',
  'SubCode',
  'Title',
  'UnitPrice',
  'Quantity',
] as const;

const s = optionalText;
export const orderInfoSchema = z.object({
  ResultSet: z.object({
    Result: z.object({
      Status: z.literal('OK'),
      OrderInfo: z.object({
        OrderId: text.pipe(z.string().min(1)),
        OrderTime: text,
        LastUpdateTime: text,
        OrderStatus: z.enum(['0', '1', '2', '3', '4', '5', '8']),
        IsSeen: boolText,
        IsReadOnly: z.enum(['0', '1']).optional(),
        Pay: z
          .object({
            BillFirstName: s,
            BillFirstNameKana: s,
            BillLastName: s,
            BillLastNameKana: s,
            BillMailAddress: s,
            BillPhoneNumber: s,
          })
          .optional(),
        Ship: z.object({
          ShipStatus: z.enum(['0', '1', '2', '3', '4']),
          ShipFirstName: s,
          ShipLastName: s,
          ShipZipCode: s,
          ShipPrefecture: s,
          ShipCity: s,
          ShipAddress1: s,
          ShipAddress2: s,
          ShipPhoneNumber: s,
        }),
        Detail: z.object({ TotalPrice: yenText }),
        Item: list(
          z.object({
            LineId: intText,
            ItemId: text.pipe(z.string().min(1)),
            SubCode: text.default(''),
            Title: text.default(''),
            UnitPrice: yenText,
            Quantity: intText,
          }),
        ),
      }),
    }),
  }),
});
export type OrderInfo = z.infer<typeof orderInfoSchema>['ResultSet']['Result']['OrderInfo'];

/** orderStatusChange / orderShipStatusChange / orderChange answer (§3.4, §3.5, §3.7). */
export const orderChangeSchema = z.object({
  ResultSet: z.object({
    Result: z.object({
      Status: z.enum(['OK', 'NG']),
      Warning: list(z.object({ Code: optionalText, Message: optionalText })).optional(),
      Error: list(z.object({ Code: optionalText, Message: optionalText })).optional(),
    }),
  }),
});

export const orderCountSchema = z.object({
  ResultSet: z.object({
    Result: z.object({
      Status: z.literal('OK'),
      Count: z.object({ NewOrder: intText, WaitShipping: intText }),
    }),
  }),
});

/**
 * Amazon.co.jp as the SP-API and Login with Amazon show it to a JP merchant-fulfilled seller
 * (../shared/specs/amazon-sp-api.md). One base URL stands in for both https://sellingpartnerapi-fe.amazon.com
 * and the LWA host; presigned feed-document URLs point back at it under /__uploads/.
 *
 * Every SP-API request goes through the same gate, in the order Amazon's front door applies it:
 * injected 5xx → access token (403) → usage-plan bucket (429) → query and body against the official
 * model (400/415) → the operation.
 */
import { Router } from '../core/http';
import type { BuyerLine, MallSim, RouteRequest, SeedListing, SimContext } from '../core/types';
import type { Call, Handler } from './call';
import { FeedsService } from './feeds';
import { ListingsStore, type ListingRecord } from './listings';
import { AmazonAuth } from './lwa';
import { validateSpApiQuery, validateSpApiRequest } from './model-validator';
import { OPERATIONS, type OperationKey, type OperationSpec } from './ops';
import { resolveOptions, type AmazonSimOptions, type ResolvedOptions } from './options';
import { OrdersService, type AmazonOrder } from './orders';
import { ACCESS_DENIED, invalidInput, rateHeader, Reply, SpApiFailure } from './respond';

export type { AmazonSimOptions } from './options';
export { OPERATIONS } from './ops';

export interface AmazonMallSim extends MallSim {
  readonly options: ResolvedOptions;
  /** Read-only peeks for tests and benchmarks (what Seller Central would show). */
  order(orderId: string): AmazonOrder | undefined;
  listing(sellerSku: string): ListingRecord | undefined;
}

export function createAmazonSim(ctx: SimContext, options: AmazonSimOptions = {}): AmazonMallSim {
  const opts = resolveOptions(options);
  const auth = new AmazonAuth(ctx, opts);
  const listings = new ListingsStore(ctx, opts);
  const feeds = new FeedsService(ctx, opts, listings);
  const orders = new OrdersService(ctx, opts, listings, auth);

  const handlers: Record<OperationKey, Handler> = {
    ...listings.handlers,
    ...feeds.handlers,
    ...orders.handlers,
    createRestrictedDataToken: (call) =>
      call.ok(200, auth.createRestrictedDataToken(call.token, call.body as Parameters<AmazonAuth['createRestrictedDataToken']>[1])),
  };

  /** Time-driven state (feeds finishing, delayed listing changes, Pending orders) catches up on every touch. */
  const tick = (): void => {
    const now = ctx.clock.now();
    feeds.tick(now);
    listings.tick(now);
    orders.tick(now);
  };

  function parseBody(request: RouteRequest): unknown {
    if (request.body.length === 0) return undefined;
    const type = String(request.req.headers['content-type'] ?? '').toLowerCase();
    if (opts.requireJsonContentType && !type.startsWith('application/json')) {
      throw new SpApiFailure(415, [
        { code: 'UnsupportedMediaType', message: `Content-Type '${type || '(none)'}' is not supported; send application/json.`, details: '' },
      ]);
    }
    try {
      return JSON.parse(request.body.toString('utf8')) as unknown;
    } catch {
      throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', 'The body is not valid JSON.');
    }
  }

  function spApi(op: OperationSpec, request: RouteRequest, params: Record<string, string>): void {
    const reply = new Reply(request.res);
    try {
      tick();
      const fault = ctx.faults.take('amazon', request.url.pathname, ['throttle', 'server-error', 'expire-auth']);
      if (fault?.kind === 'server-error') return reply.serverError(fault.status ?? 500);
      const token = auth.authenticate(request, op, fault?.kind === 'expire-auth');
      if (params.sellerId !== undefined && params.sellerId !== ctx.credentials.amazon.sellerId) {
        throw new SpApiFailure(403, [{ code: 'Unauthorized', message: ACCESS_DENIED, details: '' }]);
      }
      if (fault?.kind === 'throttle') return reply.quotaExceeded();
      const plan = opts.rateLimits[op.key as OperationKey] ?? { rate: op.rate, burst: op.burst };
      if (!ctx.limiter.take(`amazon:${op.key}`, plan)) return reply.quotaExceeded();

      const paging = op.pageToken !== undefined && request.url.searchParams.has(op.pageToken);
      const query = validateSpApiQuery(op.model, op.operationId, request.url.searchParams, { skipRequired: paging });
      if (!query.valid) throw invalidInput(query.errors[0] ?? 'Invalid query.', query.errors.join('; '));
      const body = parseBody(request);
      // Open objects here: Amazon's tolerance of unknown body fields is not documented, so only model rules bind.
      const checked = validateSpApiRequest(op.model, op.operationId, body, { closed: false });
      if (!checked.valid) throw invalidInput('Request has missing or invalid parameters and cannot be parsed.', checked.errors.join('; '));

      const headers = { 'x-amzn-RateLimit-Limit': rateHeader(plan.rate) };
      const call: Call = {
        request,
        op,
        params,
        query: request.url.searchParams,
        body,
        token,
        reply,
        ok: (status, payload) => (payload === undefined ? reply.empty(status, headers) : reply.json(status, payload, headers)),
      };
      handlers[op.key as OperationKey](call);
    } catch (error) {
      if (reply.sent) return;
      if (error instanceof SpApiFailure) return reply.errors(error.status, error.errors);
      reply.errors(500, [{ code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', details: String(error) }]);
    }
  }

  const router = new Router();
  for (const op of OPERATIONS) router.add(op.method, op.path, (request, params) => spApi(op, request, params));
  router.add('POST', '/auth/o2/token', (request) => auth.handleTokenRequest(request, new Reply(request.res)));
  router.add('PUT', '/__uploads/:id', (request, params) => feeds.handleDocumentUrl(request, params.id ?? ''));
  router.add('GET', '/__uploads/:id', (request, params) => feeds.handleDocumentUrl(request, params.id ?? ''));

  return {
    mall: 'amazon',
    options: opts,

    async handle(request: RouteRequest): Promise<void> {
      if (await router.dispatch(request)) return;
      // API Gateway answers an unknown resource with 403, not 404.
      new Reply(request.res).errors(403, [
        { code: 'MissingAuthenticationToken', message: ACCESS_DENIED, details: `No SP-API operation at ${request.method} ${request.url.pathname}` },
      ]);
    },

    seed(seedListings: SeedListing[]): void {
      listings.seed(seedListings);
    },

    shownStock(): Map<string, number> {
      tick();
      return listings.shownStock();
    },

    placeBuyerOrder(lines: BuyerLine[]): string | null {
      tick();
      return orders.placeBuyerOrder(lines);
    },

    cancelBuyerOrder(orderId: string): boolean {
      tick();
      return orders.cancelBuyerOrder(orderId);
    },

    orderIds(): string[] {
      return [...orders.orders.keys()];
    },

    reset(): void {
      listings.reset();
      feeds.reset();
      orders.reset();
    },

    order: (orderId) => orders.orders.get(orderId),
    listing: (sellerSku) => listings.records.get(sellerSku),
  };
}

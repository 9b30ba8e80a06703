import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sendXml } from '../core/http';
import type { RouteRequest, SimContext } from '../core/types';
import { csv, type Handler } from './call';
import type { ListingsStore, Evaluation } from './listings';
import { validateListingsFeed, validateListingsFeedMessage } from './model-validator';
import type { ResolvedOptions } from './options';
import { hexId, invalidInput, iso, opaqueToken, SpApiFailure } from './respond';
import type { PatchOp } from './validate';

/** Feeds API 2021-06-30 with JSON_LISTINGS_FEED (spec §5), and the S3-like document URLs it hands out. */

interface FeedDocument {
  feedDocumentId: string;
  contentType: string;
  content?: Buffer;
  compression?: 'GZIP';
}

type ProcessingStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';

interface Feed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdAt: number;
  status: ProcessingStatus;
  startedAt?: number;
  endedAt?: number;
  resultFeedDocumentId?: string;
  /** From the `partial` fault: SKUs whose messages fail, or 'alternate' for every other message. */
  failSkus?: Set<string> | 'alternate';
}

interface PresignedUrl {
  feedDocumentId: string;
  method: 'PUT' | 'GET';
  expiresAt: number;
  contentEncodingHeader: boolean;
}

interface ReportIssue {
  messageId?: number;
  sku?: string;
  code: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  attributeName?: string;
}

interface FeedMessage {
  messageId: number;
  sku: string;
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' | 'PATCH' | 'DELETE';
  productType?: string;
  requirements?: 'LISTING' | 'LISTING_PRODUCT_ONLY' | 'LISTING_OFFER_ONLY';
  attributes?: Record<string, unknown>;
  patches?: PatchOp[];
}

/**
 * Listings feed types Amazon switched off on 2025-07-31: still accepted by createFeed, but processing ends
 * FATAL (spec §1.5).
 */
const RETIRED_FEED_TYPES = new Set([
  'POST_PRODUCT_DATA',
  'POST_INVENTORY_AVAILABILITY_DATA',
  'POST_PRODUCT_PRICING_DATA',
  'POST_PRODUCT_OVERRIDES_DATA',
  'POST_PRODUCT_IMAGE_DATA',
  'POST_PRODUCT_RELATIONSHIP_DATA',
  'POST_FLAT_FILE_LISTINGS_DATA',
  'POST_FLAT_FILE_INVLOADER_DATA',
  'POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA',
]);

const normaliseContentType = (t: string): string => t.toLowerCase().replace(/\s+/g, '');

function s3Error(res: RouteRequest['res'], status: number, code: string, message: string): void {
  sendXml(
    res,
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${hexId(8).toUpperCase()}</RequestId></Error>`,
  );
}

export class FeedsService {
  private readonly documents = new Map<string, FeedDocument>();
  private readonly feeds = new Map<string, Feed>();
  private readonly urls = new Map<string, PresignedUrl>();
  private readonly pageTokens = new Map<string, { offset: number; filter: (f: Feed) => boolean; pageSize: number }>();
  private nextFeedId = 50_000_000_000 + Math.floor(Math.random() * 1_000_000_000);

  constructor(
    private readonly ctx: SimContext,
    private readonly opts: ResolvedOptions,
    private readonly listings: ListingsStore,
  ) {}

  reset(): void {
    this.documents.clear();
    this.feeds.clear();
    this.urls.clear();
    this.pageTokens.clear();
  }

  private presign(request: RouteRequest, doc: FeedDocument, method: 'PUT' | 'GET', contentEncodingHeader = false): string {
    const signature = hexId(32);
    const now = this.ctx.clock.now();
    this.urls.set(signature, { feedDocumentId: doc.feedDocumentId, method, expiresAt: now + this.opts.documentUrlTtlMs, contentEncodingHeader });
    const amzDate = iso(now).replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const origin = `http://${request.req.headers.host ?? '127.0.0.1'}`;
    const q = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': String(Math.round(this.opts.documentUrlTtlMs / 1000)),
      'X-Amz-SignedHeaders': method === 'PUT' ? 'content-type;host' : 'host',
      'X-Amz-Signature': signature,
    });
    return `${origin}/__uploads/${encodeURIComponent(doc.feedDocumentId)}?${q.toString()}`;
  }

  /**
   * PUT/GET on a presigned document URL, as S3 answers it: no SP-API headers, XML errors, and the upload's
   * Content-Type must equal the one given to createFeedDocument because the URL is signed with it (spec §5.1).
   */
  handleDocumentUrl(request: RouteRequest, documentId: string): void {
    const { res } = request;
    const signature = request.url.searchParams.get('X-Amz-Signature') ?? '';
    const grant = this.urls.get(signature);
    const doc = this.documents.get(documentId);
    if (!grant || !doc || grant.feedDocumentId !== documentId || grant.method !== request.method) {
      return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (this.ctx.clock.now() > grant.expiresAt) return s3Error(res, 403, 'AccessDenied', 'Request has expired');
    if (request.method === 'PUT') {
      const type = String(request.req.headers['content-type'] ?? '');
      if (normaliseContentType(type) !== normaliseContentType(doc.contentType)) {
        return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
      }
      doc.content = Buffer.from(request.body);
      res.writeHead(200, { ETag: `"${createHash('md5').update(doc.content).digest('hex')}"`, 'content-length': '0' });
      res.end();
      return;
    }
    if (!doc.content) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    const headers: Record<string, string> = { 'content-type': doc.contentType, 'content-length': String(doc.content.length) };
    if (doc.compression === 'GZIP' && grant.contentEncodingHeader) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    res.end(doc.content);
  }

  // -------------------------------------------------------------------------------------------
  // processing

  /** Moves feeds along IN_QUEUE → IN_PROGRESS → DONE/FATAL as mall time passes; messages apply at the end. */
  tick(now: number): void {
    const ordered = [...this.feeds.values()].sort((a, b) => a.createdAt - b.createdAt);
    for (const feed of ordered) {
      if (feed.status === 'IN_QUEUE' && now >= feed.createdAt + this.opts.feedQueueMs) {
        feed.status = 'IN_PROGRESS';
        feed.startedAt = feed.createdAt + this.opts.feedQueueMs;
      }
      if (feed.status === 'IN_PROGRESS' && feed.startedAt !== undefined && now >= feed.startedAt + this.opts.feedProcessingMs) {
        feed.endedAt = feed.startedAt + this.opts.feedProcessingMs;
        this.process(feed);
      }
    }
  }

  private storeReport(feed: Feed, report: unknown): void {
    const json = Buffer.from(JSON.stringify(report), 'utf8');
    const doc: FeedDocument = {
      feedDocumentId: `amzn1.tortuga.4.fe.${randomUUID()}.T${hexId(6).toUpperCase()}`,
      contentType: 'application/json',
      content: this.opts.gzipFeedReports ? gzipSync(json) : json,
      compression: this.opts.gzipFeedReports ? 'GZIP' : undefined,
    };
    this.documents.set(doc.feedDocumentId, doc);
    feed.resultFeedDocumentId = doc.feedDocumentId;
  }

  private fatal(feed: Feed, sellerId: string, issues: ReportIssue[]): void {
    feed.status = 'FATAL';
    this.storeReport(feed, {
      header: { sellerId, version: '2.0', feedId: feed.feedId },
      issues,
      summary: { errors: issues.length, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
    });
  }

  private evaluateMessage(m: FeedMessage): Evaluation {
    switch (m.operationType) {
      case 'UPDATE':
        return this.listings.evaluatePut(m.sku, m.productType ?? '', m.requirements ?? 'LISTING', m.attributes ?? {});
      case 'PARTIAL_UPDATE':
        // Equivalent to PATCH with "replace" (listings-feed-schema-v2.json).
        return this.listings.evaluatePatch(
          m.sku,
          m.productType ?? '',
          Object.entries(m.attributes ?? {}).map(([name, value]) => ({ op: 'replace', path: `/attributes/${name}`, value: value as PatchOp['value'] })),
        );
      case 'PATCH': {
        if ((m.patches ?? []).some((p) => p.value === undefined)) {
          // Amazon's report wording for a malformed patch (amzn/selling-partner-api-models #4554).
          return { issues: [{ code: 'BAD_REQUEST', message: 'Invalid parameters provided.', severity: 'ERROR', categories: [] }] };
        }
        return this.listings.evaluatePatch(m.sku, m.productType ?? '', m.patches ?? []);
      }
      case 'DELETE':
        return this.listings.evaluateDelete(m.sku);
    }
  }

  private process(feed: Feed): void {
    const sellerId = this.ctx.credentials.amazon.sellerId;
    if (RETIRED_FEED_TYPES.has(feed.feedType)) {
      feed.status = 'FATAL';
      return;
    }
    const doc = this.documents.get(feed.inputFeedDocumentId);
    if (!doc?.content) return this.fatal(feed, sellerId, [{ code: 'DOCUMENT_NOT_FOUND', severity: 'ERROR', message: 'The input feed document was never uploaded.' }]);
    if (doc.content.length > this.opts.maxFeedDocumentBytes) {
      return this.fatal(feed, sellerId, [
        { code: 'FEED_TOO_LARGE', severity: 'ERROR', message: `The feed document is ${doc.content.length} bytes; the limit is ${this.opts.maxFeedDocumentBytes}.` },
      ]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(doc.content.toString('utf8'));
    } catch {
      return this.fatal(feed, sellerId, [{ code: 'INVALID_JSON', severity: 'ERROR', message: 'The feed document is not valid JSON.' }]);
    }
    const whole = validateListingsFeed(parsed);
    const envelope = parsed as { header?: { sellerId?: unknown; version?: unknown; report?: { includedData: string[]; apiVersion: string } }; messages?: unknown };
    const messages = Array.isArray(envelope.messages) ? (envelope.messages as unknown[]) : undefined;
    const header = envelope.header;
    const headerOk =
      typeof header === 'object' && header !== null && typeof header.sellerId === 'string' && header.version === '2.0' && messages !== undefined;
    if (!whole.valid && (!headerOk || messages.length === 0 || messages.length > 25_000 || whole.errors.some((e) => e.startsWith('/header')))) {
      return this.fatal(
        feed,
        sellerId,
        whole.errors.slice(0, 50).map((e) => ({ code: 'SCHEMA_VALIDATION_ERROR', severity: 'ERROR', message: `The feed does not match listings-feed-schema-v2: ${e}` })),
      );
    }
    if (!header || header.sellerId !== sellerId) {
      return this.fatal(feed, sellerId, [{ code: 'INVALID_SELLER', severity: 'ERROR', message: `The header sellerId '${String(header?.sellerId)}' is not the submitting seller.` }]);
    }

    const issues: ReportIssue[] = [];
    let accepted = 0;
    let invalid = 0;
    const seenIds = new Set<number>();
    const skus: string[] = [];
    (messages ?? []).forEach((raw, index) => {
      const m = raw as FeedMessage;
      const messageId = typeof m.messageId === 'number' && m.messageId >= 1 ? m.messageId : undefined;
      const sku = typeof m.sku === 'string' && m.sku !== '' ? m.sku : undefined;
      const fail = (issue: Omit<ReportIssue, 'messageId' | 'sku'>): void => {
        invalid += 1;
        issues.push({ ...(messageId ? { messageId } : {}), ...(sku ? { sku } : {}), ...issue });
      };
      const check = whole.valid ? { valid: true, errors: [] } : validateListingsFeedMessage(raw);
      if (!check.valid) {
        return fail({ code: 'BAD_REQUEST', severity: 'ERROR', message: `Invalid parameters provided. ${check.errors.join('; ')}` });
      }
      if (seenIds.has(m.messageId)) {
        return fail({ code: 'DUPLICATE_MESSAGE_ID', severity: 'ERROR', message: `messageId ${m.messageId} is used by another message of this feed.` });
      }
      seenIds.add(m.messageId);
      const injected = feed.failSkus === 'alternate' ? index % 2 === 1 : feed.failSkus?.has(m.sku);
      if (injected) {
        return fail({ code: 'INTERNAL_FAILURE', severity: 'ERROR', message: 'An internal error occurred while processing this message. Resubmit the message.' });
      }
      const evaluation = this.evaluateMessage(m);
      const errors = evaluation.issues.filter((i) => i.severity === 'ERROR');
      for (const i of evaluation.issues) {
        issues.push({
          messageId: m.messageId,
          sku: m.sku,
          code: i.code,
          severity: i.severity,
          message: i.message,
          ...(i.attributeNames?.[0] ? { attributeName: i.attributeNames[0] } : {}),
        });
      }
      if (errors.length > 0 || !evaluation.commit) {
        invalid += 1;
        return;
      }
      accepted += 1;
      skus.push(m.sku);
      this.listings.schedule(evaluation.commit);
    });

    const report: Record<string, unknown> = {
      header: { sellerId, version: '2.0', feedId: feed.feedId, ...(header.report ? { report: header.report } : {}) },
      issues,
      summary: {
        errors: issues.filter((i) => i.severity === 'ERROR').length,
        warnings: issues.filter((i) => i.severity === 'WARNING').length,
        messagesProcessed: (messages ?? []).length,
        messagesAccepted: accepted,
        messagesInvalid: invalid,
      },
    };
    if (header.report) {
      // With report.includedData the report also carries the resulting listings items (spec §5.3).
      const items = [...new Set(skus)].flatMap((s) => {
        const record = this.listings.records.get(s);
        return record ? [this.listings.itemView(record, header.report?.includedData ?? [])] : [];
      });
      const standing = [...new Set(skus)].flatMap((s) => {
        const record = this.listings.records.get(s);
        return record ? this.listings.standingIssues(record) : [];
      });
      report.items = items;
      (report.summary as Record<string, unknown>).itemSummary = {
        items: items.length,
        errors: standing.filter((i) => i.severity === 'ERROR').length,
        warnings: standing.filter((i) => i.severity === 'WARNING').length,
      };
    }
    feed.status = 'DONE';
    this.storeReport(feed, report);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP handlers

  private feedView(f: Feed): Record<string, unknown> {
    const out: Record<string, unknown> = {
      feedId: f.feedId,
      feedType: f.feedType,
      marketplaceIds: f.marketplaceIds,
      createdTime: iso(f.createdAt),
      processingStatus: f.status,
    };
    if (f.startedAt !== undefined) out.processingStartTime = iso(f.startedAt);
    if (f.endedAt !== undefined && (f.status === 'DONE' || f.status === 'FATAL' || f.status === 'CANCELLED')) out.processingEndTime = iso(f.endedAt);
    if (f.resultFeedDocumentId && (f.status === 'DONE' || f.status === 'FATAL')) out.resultFeedDocumentId = f.resultFeedDocumentId;
    return out;
  }

  private feedOr404(feedId: string): Feed {
    const feed = this.feeds.get(feedId);
    if (!feed) throw new SpApiFailure(404, [{ code: this.opts.notFoundCode, message: `Feed ${feedId} not found.`, details: '' }]);
    return feed;
  }

  readonly handlers: Record<'createFeedDocument' | 'getFeedDocument' | 'createFeed' | 'getFeed' | 'getFeeds' | 'cancelFeed', Handler> = {
    createFeedDocument: (call) => {
      const { contentType } = call.body as { contentType: string };
      if (contentType.trim() === '') throw invalidInput('contentType must not be empty.');
      const doc: FeedDocument = { feedDocumentId: `amzn1.tortuga.4.fe.${randomUUID()}.T${hexId(6).toUpperCase()}`, contentType };
      this.documents.set(doc.feedDocumentId, doc);
      call.ok(201, { feedDocumentId: doc.feedDocumentId, url: this.presign(call.request, doc, 'PUT') });
    },

    getFeedDocument: (call) => {
      const id = call.params.feedDocumentId ?? '';
      const doc = this.documents.get(id);
      if (!doc) throw new SpApiFailure(404, [{ code: this.opts.notFoundCode, message: `Feed document ${id} not found.`, details: '' }]);
      const header = call.query.get('enableContentEncodingUrlHeader') === 'true';
      const body: Record<string, unknown> = { feedDocumentId: doc.feedDocumentId, url: this.presign(call.request, doc, 'GET', header) };
      if (doc.compression) body.compressionAlgorithm = doc.compression;
      call.ok(200, body);
    },

    createFeed: (call) => {
      const body = call.body as { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string };
      const mp = this.ctx.credentials.amazon.marketplaceId;
      const other = body.marketplaceIds.find((m) => m !== mp);
      if (other) throw invalidInput(`Invalid marketplaceIds: '${other}' is not a marketplace this seller participates in.`);
      if (body.feedType !== 'JSON_LISTINGS_FEED' && !RETIRED_FEED_TYPES.has(body.feedType)) {
        throw invalidInput(`Invalid feedType '${body.feedType}'.`);
      }
      if (!this.documents.has(body.inputFeedDocumentId)) throw invalidInput(`Invalid inputFeedDocumentId '${body.inputFeedDocumentId}'.`);
      const cap = this.opts.jsonListingsFeedLimit;
      if (body.feedType === 'JSON_LISTINGS_FEED' && cap && !this.ctx.limiter.take('amazon:createFeed:JSON_LISTINGS_FEED', cap)) {
        return call.reply.quotaExceeded();
      }
      const fault = this.ctx.faults.take('amazon', call.request.url.pathname, ['partial']);
      const feed: Feed = {
        feedId: String(this.nextFeedId++),
        feedType: body.feedType,
        marketplaceIds: body.marketplaceIds,
        inputFeedDocumentId: body.inputFeedDocumentId,
        createdAt: this.ctx.clock.now(),
        status: 'IN_QUEUE',
        failSkus: fault ? (fault.items?.length ? new Set(fault.items) : 'alternate') : undefined,
      };
      this.feeds.set(feed.feedId, feed);
      call.ok(202, { feedId: feed.feedId });
    },

    getFeed: (call) => call.ok(200, this.feedView(this.feedOr404(call.params.feedId ?? ''))),

    cancelFeed: (call) => {
      const feed = this.feedOr404(call.params.feedId ?? '');
      if (feed.status !== 'IN_QUEUE') throw invalidInput(`Feed ${feed.feedId} is ${feed.status}; only IN_QUEUE feeds can be cancelled.`);
      feed.status = 'CANCELLED';
      feed.endedAt = this.ctx.clock.now();
      call.ok(200);
    },

    getFeeds: (call) => {
      const q = call.query;
      const token = q.get('nextToken');
      let page: { offset: number; filter: (f: Feed) => boolean; pageSize: number };
      if (token !== null) {
        if ([...q.keys()].some((k) => k !== 'nextToken')) throw invalidInput('nextToken must be the only parameter when it is provided.');
        const saved = this.pageTokens.get(token);
        if (!saved) throw invalidInput('Invalid nextToken.');
        page = saved;
      } else {
        const types = csv(q, 'feedTypes');
        if (types.length === 0) throw invalidInput('Either feedTypes or nextToken is required.');
        const statuses = csv(q, 'processingStatuses');
        const mps = csv(q, 'marketplaceIds');
        const now = this.ctx.clock.now();
        const since = q.has('createdSince') ? Date.parse(q.get('createdSince') ?? '') : now - 90 * 86_400_000;
        const until = q.has('createdUntil') ? Date.parse(q.get('createdUntil') ?? '') : now;
        if (Number.isNaN(since) || Number.isNaN(until)) throw invalidInput('createdSince and createdUntil must be ISO 8601 date-times.');
        page = {
          offset: 0,
          pageSize: Number(q.get('pageSize') ?? '10'),
          filter: (f) =>
            types.includes(f.feedType) &&
            (statuses.length === 0 || statuses.includes(f.status)) &&
            (mps.length === 0 || f.marketplaceIds.some((m) => mps.includes(m))) &&
            f.createdAt >= since &&
            f.createdAt <= until,
        };
      }
      const all = [...this.feeds.values()].filter(page.filter).sort((a, b) => b.createdAt - a.createdAt);
      const slice = all.slice(page.offset, page.offset + page.pageSize);
      const body: Record<string, unknown> = { feeds: slice.map((f) => this.feedView(f)) };
      if (page.offset + page.pageSize < all.length) {
        const next = opaqueToken();
        this.pageTokens.set(next, { ...page, offset: page.offset + page.pageSize });
        body.nextToken = next;
      }
      call.ok(200, body);
    },
  };
}

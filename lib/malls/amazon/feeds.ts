import { z } from 'zod';
import { MallError, itemFailure, unexpectedResponse, type ItemResult } from '../errors';
import type { ProgressReport } from '../types';
import { safeJson } from './auth';
import type { SpApi } from './spapi';
import { toMallError } from './util';

/**
 * JSON_LISTINGS_FEED through the Feeds API 2021-06-30 (spec §5): createFeedDocument → PUT the document
 * to the presigned URL → createFeed → poll getFeed until DONE → download the processing report → one
 * result per message, found by messageId.
 */

export interface FeedPatch {
  op: 'add' | 'replace' | 'merge' | 'delete';
  path: string;
  value: Record<string, unknown>[];
}

export interface FeedMessageInput {
  /** Our key for the result (the listing id). */
  key: string;
  sku: string;
  productType: string;
  patches: FeedPatch[];
}

/** Shortest gap between two getFeed polls of one feed, in mall ms (see FeedsApi.pollGapMs). */
export const FEED_POLL_MIN_MS = 5_000;

/** Amazon checks the upload against the content type the URL was signed with (spec §5.1). */
const FEED_CONTENT_TYPE = 'application/json; charset=UTF-8';
const FEED_DOCUMENT_TIMEOUT_MS = 120_000;

const createDocumentAnswer = z.object({ feedDocumentId: z.string().min(1), url: z.string().url() });
const createFeedAnswer = z.object({ feedId: z.string().min(1) });
const feedAnswer = z.object({
  feedId: z.string(),
  feedType: z.string(),
  processingStatus: z.enum(['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE']),
  resultFeedDocumentId: z.string().optional(),
});
const feedDocumentAnswer = z.object({ feedDocumentId: z.string(), url: z.string().url(), compressionAlgorithm: z.literal('GZIP').optional() });

const reportIssue = z.object({
  messageId: z.number().int().positive().optional(),
  sku: z.string().optional(),
  code: z.string().optional(),
  severity: z.enum(['ERROR', 'WARNING', 'INFO']),
  message: z.string(),
  attributeName: z.string().optional(),
});
type ReportIssue = z.infer<typeof reportIssue>;

/** listings-feed-processing-report-schema-v2.json: header, issues and summary are required. */
const processingReport = z.object({
  header: z.object({ sellerId: z.string(), version: z.literal('2.0'), feedId: z.string() }),
  issues: z.array(reportIssue),
  summary: z.object({
    errors: z.number().int().nonnegative(),
    warnings: z.number().int().nonnegative(),
    messagesProcessed: z.number().int().nonnegative(),
    messagesAccepted: z.number().int().nonnegative(),
    messagesInvalid: z.number().int().nonnegative(),
  }),
});

interface SubmittedFeed {
  feedId: string;
  messages: FeedMessageInput[];
}

export class FeedsApi {
  constructor(private readonly api: SpApi) {}

  private get cfg() {
    return this.api.cfg;
  }

  /** The JSON_LISTINGS_FEED document for these messages (listings-feed-schema-v2.json). */
  buildDocument(messages: readonly FeedMessageInput[]): { header: Record<string, unknown>; messages: Record<string, unknown>[] } {
    return {
      header: { sellerId: this.cfg.credentials.sellerId, version: '2.0', issueLocale: this.cfg.issueLocale },
      messages: messages.map((m, i) => ({ messageId: i + 1, sku: m.sku, operationType: 'PATCH', productType: m.productType, patches: m.patches })),
    };
  }

  /** Splits into documents of at most maxMessagesPerFeed messages and maxFeedBytes bytes. */
  split(messages: readonly FeedMessageInput[]): FeedMessageInput[][] {
    const batches: FeedMessageInput[][] = [];
    const encoder = new TextEncoder();
    const overhead = 200;
    let current: FeedMessageInput[] = [];
    let bytes = overhead;
    for (const m of messages) {
      const size = encoder.encode(JSON.stringify({ messageId: 2147483647, sku: m.sku, operationType: 'PATCH', productType: m.productType, patches: m.patches })).length + 1;
      if (current.length > 0 && (current.length >= this.cfg.maxMessagesPerFeed || bytes + size > this.cfg.maxFeedBytes)) {
        batches.push(current);
        current = [];
        bytes = overhead;
      }
      current.push(m);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Submits every batch, then waits for each; one result per message in input order. */
  async submit(messages: readonly FeedMessageInput[], onProgress?: (p: ProgressReport) => void): Promise<ItemResult[]> {
    const results = new Map<FeedMessageInput, ItemResult>();
    const submitted: SubmittedFeed[] = [];
    for (const batch of this.split(messages)) {
      try {
        submitted.push({ feedId: await this.createFeed(batch), messages: batch });
      } catch (caught) {
        const error = toMallError(caught, 'createFeed');
        for (const m of batch) results.set(m, itemFailure(m.key, error));
      }
    }
    let done = results.size;
    if (done > 0) onProgress?.({ done, total: messages.length });
    await Promise.all(
      submitted.map(async (feed) => {
        let outcome: Map<number, ItemResult>;
        try {
          outcome = await this.collect(feed);
        } catch (caught) {
          const error = toMallError(caught, 'getFeed');
          outcome = new Map(feed.messages.map((m, i) => [i + 1, itemFailure(m.key, error)]));
        }
        feed.messages.forEach((m, i) => results.set(m, outcome.get(i + 1) ?? { key: m.key, ok: true }));
        done += feed.messages.length;
        onProgress?.({ done, total: messages.length });
      }),
    );
    return messages.map((m) => results.get(m) ?? itemFailure(m.key, { mall: 'amazon', endpoint: 'createFeed', kind: 'server', message: 'no result' }));
  }

  private async createFeed(batch: FeedMessageInput[]): Promise<string> {
    const doc = await this.api.call({
      op: 'createFeedDocument',
      method: 'POST',
      path: '/feeds/2021-06-30/documents',
      body: { contentType: FEED_CONTENT_TYPE },
      schema: createDocumentAnswer,
      success: [201],
    });
    await this.upload(doc.data.url, JSON.stringify(this.buildDocument(batch)));
    const feed = await this.api.call({
      op: 'createFeed',
      method: 'POST',
      path: '/feeds/2021-06-30/feeds',
      body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [this.cfg.marketplaceId], inputFeedDocumentId: doc.data.feedDocumentId },
      schema: createFeedAnswer,
      success: [202],
      // A second createFeed would queue the same feed twice and spend the 5-per-5-minutes budget.
      idempotent: false,
    });
    return feed.data.feedId;
  }

  /** PUT to the presigned URL: no SP-API headers, S3 answers (spec §5.1). */
  private async upload(url: string, content: string): Promise<void> {
    const res = await this.cfg.http.request(
      {
        mall: 'amazon',
        endpoint: 'feedDocument.upload',
        method: 'PUT',
        url,
        headers: { 'content-type': FEED_CONTENT_TYPE },
        body: new TextEncoder().encode(content),
        idempotent: true,
        // Up to 25,000 messages: more time than an API call.
        timeoutMs: this.cfg.timeoutMs ?? FEED_DOCUMENT_TIMEOUT_MS,
      },
      (status) => (status >= 500 ? { kind: 'server' } : status === 429 ? { kind: 'throttled' } : undefined),
    );
    if (res.status !== 200) {
      const code = /<Code>([^<]+)<\/Code>/.exec(res.text)?.[1];
      throw new MallError({
        mall: 'amazon',
        endpoint: 'feedDocument.upload',
        kind: res.status === 403 ? 'invalid-request' : 'server',
        status: res.status,
        ...(code ? { code } : {}),
        message: `the feed document upload was refused: HTTP ${res.status}${code ? ` ${code}` : ''}`,
      });
    }
  }

  /**
   * Mall ms to wait before the next getFeed, after `waitedMs` of waiting: a twentieth of it, so the end of
   * a feed is seen within about 5 % of its duration, but at least FEED_POLL_MIN_MS and at most
   * `feedPollIntervalMs`. A fixed 15-second poll lost up to 15 s (7.5 s on average) on every feed, a sixth
   * of a 90-second one; getFeed's own limit (2/s, burst 15) is far above one call per 5 s.
   */
  pollGapMs(waitedMs: number): number {
    const max = this.cfg.feedPollIntervalMs;
    return Math.min(max, Math.max(Math.min(FEED_POLL_MIN_MS, max), waitedMs / 20));
  }

  /** Polls until the feed ends and turns its processing report into results by messageId. */
  private async collect(feed: SubmittedFeed): Promise<Map<number, ItemResult>> {
    const path = `/feeds/2021-06-30/feeds/${encodeURIComponent(feed.feedId)}`;
    const deadline = this.cfg.now() + this.cfg.feedTimeoutMs / this.cfg.rateScale;
    let waitedMs = 0;
    for (;;) {
      const { data } = await this.api.call({ op: 'getFeed', method: 'GET', path, schema: feedAnswer });
      if (data.processingStatus === 'DONE' || data.processingStatus === 'FATAL') {
        if (!data.resultFeedDocumentId) {
          if (data.processingStatus === 'DONE') {
            throw unexpectedResponse('amazon', 'getFeed', [{ path: ['resultFeedDocumentId'], message: 'missing on a DONE feed' }]);
          }
          return this.failAll(feed, { kind: 'server', code: 'FATAL', message: `feed ${feed.feedId} ended FATAL without a report` });
        }
        const report = await this.report(data.resultFeedDocumentId);
        return this.results(feed, report, data.processingStatus === 'FATAL');
      }
      if (data.processingStatus === 'CANCELLED') {
        return this.failAll(feed, { kind: 'server', code: 'CANCELLED', message: `feed ${feed.feedId} was cancelled before processing` });
      }
      if (this.cfg.now() >= deadline) {
        return this.failAll(feed, { kind: 'timeout', message: `feed ${feed.feedId} was still ${data.processingStatus} after ${Math.round(this.cfg.feedTimeoutMs / 60_000)} minutes` });
      }
      const gap = this.pollGapMs(waitedMs);
      waitedMs += gap;
      await this.cfg.sleep(gap / this.cfg.rateScale);
    }
  }

  private failAll(feed: SubmittedFeed, e: { kind: MallError['kind']; code?: string; message: string }): Map<number, ItemResult> {
    const error = new MallError({ mall: 'amazon', endpoint: 'getFeed', ...e });
    return new Map(feed.messages.map((m, i) => [i + 1, itemFailure(m.key, error)]));
  }

  private async report(feedDocumentId: string): Promise<z.infer<typeof processingReport>> {
    const { data } = await this.api.call({
      op: 'getFeedDocument',
      method: 'GET',
      path: `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`,
      // The URL then serves GZIP reports with Content-Encoding: gzip, which fetch undoes for us (spec §5.1).
      query: { enableContentEncodingUrlHeader: 'true' },
      schema: feedDocumentAnswer,
    });
    const res = await this.cfg.http.request(
      {
        mall: 'amazon',
        endpoint: 'feedDocument.download',
        method: 'GET',
        url: data.url,
        idempotent: true,
        timeoutMs: this.cfg.timeoutMs ?? FEED_DOCUMENT_TIMEOUT_MS,
      },
      (status) => (status >= 500 ? { kind: 'server' } : undefined),
    );
    if (res.status !== 200) {
      throw new MallError({ mall: 'amazon', endpoint: 'feedDocument.download', kind: res.status === 404 ? 'not-found' : 'server', status: res.status, message: `the processing report download failed: HTTP ${res.status}` });
    }
    const json = safeJson(res.text, z.unknown());
    if (json === undefined) {
      throw unexpectedResponse('amazon', 'feedDocument.download', [{ path: [], message: data.compressionAlgorithm ? 'a GZIP report arrived still compressed' : 'the report is not JSON' }], res.status);
    }
    const parsed = processingReport.safeParse(json);
    if (!parsed.success) throw unexpectedResponse('amazon', 'feedDocument.download', parsed.error.issues, res.status);
    return parsed.data;
  }

  private results(feed: SubmittedFeed, report: z.infer<typeof processingReport>, fatal: boolean): Map<number, ItemResult> {
    const byMessage = new Map<number, ReportIssue[]>();
    const feedLevel: ReportIssue[] = [];
    for (const issue of report.issues) {
      if (issue.severity !== 'ERROR') continue;
      if (issue.messageId === undefined) feedLevel.push(issue);
      else byMessage.set(issue.messageId, [...(byMessage.get(issue.messageId) ?? []), issue]);
    }
    const out = new Map<number, ItemResult>();
    feed.messages.forEach((m, i) => {
      const messageId = i + 1;
      const errors = byMessage.get(messageId) ?? (fatal || feedLevel.length > 0 ? feedLevel : []);
      if (errors.length === 0 && !fatal) {
        out.set(messageId, { key: m.key, ok: true });
        return;
      }
      const first = errors[0];
      // INTERNAL_FAILURE asks for a resubmission; every other issue is about what we sent.
      const retryable = first === undefined || /INTERNAL/i.test(first.code ?? '');
      out.set(
        messageId,
        itemFailure(m.key, {
          mall: 'amazon',
          endpoint: 'JSON_LISTINGS_FEED',
          kind: retryable ? 'server' : 'invalid-request',
          ...(first?.code ? { code: first.code } : {}),
          ...(first?.attributeName ? { field: first.attributeName } : {}),
          message: first ? errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message}`).join('; ') : `feed ${feed.feedId} ended FATAL`,
        }),
      );
    });
    return out;
  }
}

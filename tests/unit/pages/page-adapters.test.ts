import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { mallOfAdminUrl } from '@/lib/pages/hosts';
import { pageAdapters } from '@/lib/pages';

function read(mall: 'rakuten' | 'yahoo' | 'amazon', url: string, html = '<main></main>') {
  const dom = new JSDOM(html, { url });
  return pageAdapters[mall].readContext(new URL(url), dom.window.document);
}

describe('Rakuten RMS pages', () => {
  it('reads the manageNumber of a SKU-era item edit page, folded to lower case', () => {
    expect(read('rakuten', 'https://item.rms.rakuten.co.jp/rms-sku/shops/000001/item/edit/ICH00001#tab-1')).toEqual({ kind: 'item', mall: 'rakuten', itemId: 'ich00001' });
  });
  it('reads a legacy item page from its query', () => {
    expect(read('rakuten', 'https://item.rms.rakuten.co.jp/rms/mall/rsf/item/vc?__event=RI03_001_002&shop_bid=1&mng_number=abc-1')).toMatchObject({ itemId: 'abc-1' });
  });
  it('reads the order number of an R-Backoffice order, from the URL or the status link', () => {
    expect(read('rakuten', 'https://order-rp.rms.rakuten.co.jp/order-rb/individual-order-detail-sc/init?orderNumber=000001-20261201-0000000001')).toEqual({
      kind: 'order',
      mall: 'rakuten',
      orderNumber: '000001-20261201-0000000001',
    });
    expect(
      read('rakuten', 'https://order-rp.rms.rakuten.co.jp/order-rb/individual-order-detail-sc/init', '<a class="rms-status-order-nr"> 000001-20261201-0000000002 </a>'),
    ).toMatchObject({ orderNumber: '000001-20261201-0000000002' });
  });
  it('says "other" for the main menu instead of guessing', () => {
    expect(read('rakuten', 'https://mainmenu.rms.rakuten.co.jp/')).toEqual({ kind: 'other', mall: 'rakuten' });
  });
});

describe('Yahoo Store Creator Pro pages', () => {
  it('reads an order detail page and ignores the mail screen', () => {
    expect(read('yahoo', 'https://pro.store.yahoo.co.jp/pro.ichigen-demo/order/manage/detail/ichigen-demo-10000001')).toEqual({
      kind: 'order',
      mall: 'yahoo',
      orderNumber: 'ichigen-demo-10000001',
    });
    expect(read('yahoo', 'https://pro.store.yahoo.co.jp/pro.ichigen-demo/order/manage/detail/mail_list')).toMatchObject({ kind: 'other' });
  });
  it('reads the item code of the item editor, also on the test store', () => {
    expect(read('yahoo', 'https://editor.store.yahoo.co.jp/RT/ichigen-demo/PageEdit/index?page_key=ich00001&page_mode=Edit')).toMatchObject({ kind: 'item', itemId: 'ich00001' });
    expect(read('yahoo', 'https://test.editor.store.yahoo.co.jp/RT/ichigen-demo/PageEdit/index?page_key=x1')).toMatchObject({ kind: 'item', itemId: 'x1' });
  });
});

describe('Amazon Seller Central pages', () => {
  it('reads an order id and a listing edit SKU', () => {
    expect(read('amazon', 'https://sellercentral.amazon.co.jp/orders-v3/order/250-1234567-8901234')).toEqual({ kind: 'order', mall: 'amazon', orderNumber: '250-1234567-8901234' });
    expect(read('amazon', 'https://sellercentral.amazon.co.jp/abis/listing/edit/offer?marketplaceID=A1VC38T7YXB528&sku=ich00001-wh-s&asin=B0X#offer')).toMatchObject({
      kind: 'item',
      itemId: 'ich00001-wh-s',
    });
    expect(read('amazon', 'https://sellercentral-japan.amazon.com/orders-v3/mfn/unshipped')).toMatchObject({ kind: 'other' });
  });
});

describe('mallOfAdminUrl', () => {
  it('knows the admin hosts and nothing else', () => {
    expect(mallOfAdminUrl('https://order-rp.rms.rakuten.co.jp/x')).toBe('rakuten');
    expect(mallOfAdminUrl('https://pro.store.yahoo.co.jp/pro.x')).toBe('yahoo');
    expect(mallOfAdminUrl('https://sellercentral-japan.amazon.com/')).toBe('amazon');
    expect(mallOfAdminUrl('http://order-rp.rms.rakuten.co.jp/')).toBeUndefined();
    expect(mallOfAdminUrl('https://rakuten.co.jp/')).toBeUndefined();
    expect(mallOfAdminUrl('https://evilrms.rakuten.co.jp/')).toBeUndefined();
    expect(mallOfAdminUrl('not a url')).toBeUndefined();
  });
});

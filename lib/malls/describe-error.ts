import { t, type Language } from '../i18n';
import type { SerializedMallError } from './errors';

/** A mall error in plain words for shop staff: what happened and what to do, in their language. */
export function describeMallError(error: SerializedMallError, language?: Language): string {
  const mall = t(`mall.${error.mall}`, {}, language);
  switch (error.kind) {
    case 'auth':
      return t(`mallError.auth.${error.mall}`, {}, language);
    case 'permission':
      return t('mallError.permission', { endpoint: error.endpoint, mall }, language);
    case 'clock-skew':
      return t('mallError.clock-skew', {}, language);
    case 'invalid-request':
      return t('mallError.invalid-request', { mall, code: error.code ?? error.status ?? '-', detail: error.message }, language);
    case 'not-found':
      return t('mallError.not-found', { mall, endpoint: error.endpoint }, language);
    case 'unexpected-response':
      return t('mallError.unexpected-response', { mall, field: error.field ?? '-' }, language);
    default:
      return t(`mallError.${error.kind}`, { mall }, language);
  }
}

/** A sync cycle's recorded error ({mall, kind, message}) in plain words. */
export function describeSyncError(error: { mall: SerializedMallError['mall']; kind: string; message: string }, language?: Language): string {
  return describeMallError({ mall: error.mall, endpoint: '', kind: error.kind as SerializedMallError['kind'], message: error.message, retryable: false }, language);
}

/**
 * An error as a person reads it: what happened (timestamps written as dates), what to do next
 * when we know it, and the stable code kept small at the end for bug reports.
 */
import type { AppError } from '../../../shared/errors';
import { datesInText } from '../format';
import { t, type MessageKey } from '../i18n';

/** The next step for the errors a person can fix themselves. */
const NEXT_STEP: Partial<Record<string, MessageKey>> = {
  HOST_NOT_INSTALLED: 'nextHostNotInstalled',
  HOST_DISCONNECTED: 'nextHostDisconnected',
  HOST_TIMEOUT: 'nextHostDisconnected',
  INCOMPATIBLE_PROTOCOL: 'nextHostIncompatible',
  MODEL_NOT_CONFIGURED: 'nextModelNotConfigured',
  MODEL_UNREACHABLE: 'nextModelUnreachable',
  MODEL_UNAUTHORIZED: 'nextModelUnauthorized',
  MODEL_HTTP_ERROR: 'nextModelHttpError',
  MODEL_BAD_RESPONSE: 'nextModelBadResponse',
  EMBEDDINGS_NOT_CONFIGURED: 'nextEmbeddingsNotConfigured',
  FILTER_REQUIRED: 'nextFilterRequired',
  FILTER_INVALID: 'nextFilterInvalid',
  QUOTA_EXCEEDED: 'nextQuotaExceeded',
  DATABASE_CONNECTION_LOST: 'nextDatabaseConnectionLost',
  DATABASE_RESET: 'nextDatabaseReset',
  SEARCH_INDEX_BUSY: 'nextIndexBusy',
  BUNDLE_FOREIGN_UNRECOGNIZED: 'nextBundleUnrecognized',
  BUNDLE_FILE_EXISTS: 'nextBundleFileExists',
  REPO_BUSY: 'nextRepoBusy',
  JOB_NOT_RETRYABLE: 'nextJobNotRetryable',
  SYNC_UNREACHABLE: 'nextSyncUnreachable',
  SYNC_UNAUTHORIZED: 'nextSyncUnauthorized',
  SYNC_WRONG_PASSPHRASE: 'nextSyncWrongPassphrase',
  SYNC_QUOTA: 'nextSyncQuota',
};

export function errorSentence(error: AppError): string {
  const next = NEXT_STEP[error.code];
  return `${datesInText(error.message)}${next ? `. ${t(next)}` : ''}`.replace(/\.\. /, '. ');
}

export function ErrorText({ error, testId }: { error: AppError; testId?: string }) {
  return (
    <p class="error" role="alert" data-testid={testId} data-code={error.code}>
      {errorSentence(error)} <span class="error-code">({error.code})</span>
    </p>
  );
}

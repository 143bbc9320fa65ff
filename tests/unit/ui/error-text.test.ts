/**
 * Errors in words (extension/ui/components/ErrorText.tsx): the message with the next step a person
 * can take when one is known. chrome.i18n is the browser's: here it reads the same messages.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { err } from '../../../shared/errors';

const messages = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'public/_locales/en/messages.json'), 'utf8')) as Record<string, { message: string }>;

beforeAll(() => {
  (globalThis as unknown as { chrome: unknown }).chrome = {
    i18n: { getMessage: (key: string, substitutions: string[] = []) => messages[key]?.message.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '') ?? '' },
  };
});

describe('errors in words', async () => {
  const { errorSentence } = await import('../../../extension/ui/components/ErrorText');

  it('adds the next step to an error a person can act on', () => {
    expect(errorSentence(err('QUOTA_EXCEEDED').error)).toContain(messages.nextQuotaExceeded!.message);
    const lost = errorSentence(err('DATABASE_CONNECTION_LOST').error);
    expect(lost).toContain(messages.nextDatabaseConnectionLost!.message);
    expect(lost).toMatch(/^The browser closed the database connection twice in a row; try again\. If the disk is nearly full/);
  });

  it('leaves an error without a known next step as its message', () => {
    expect(errorSentence(err('INVALID_RESULT', 'The host sent a malformed items event').error)).toBe('The host sent a malformed items event');
  });
});

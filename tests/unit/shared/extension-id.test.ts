import { describe, expect, it } from 'vitest';
import { createHash, createPublicKey } from 'node:crypto';
import { EXTENSION_ID, EXTENSION_PUBLIC_KEY, extensionIdFromKeyDigest } from '../../../shared/extension-id';

describe('extension identity', () => {
  it('derives the documented extension ID from the manifest key, as Chromium does', () => {
    const der = Buffer.from(EXTENSION_PUBLIC_KEY, 'base64');
    expect(createPublicKey({ key: der, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('rsa');
    const digest = createHash('sha256').update(der).digest('hex');
    expect(extensionIdFromKeyDigest(digest)).toBe(EXTENSION_ID);
    expect(EXTENSION_ID).toMatch(/^[a-p]{32}$/);
  });
});

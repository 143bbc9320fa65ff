import { describe, expect, it } from 'vitest';
import { CodedError, toAppError } from '../../../shared/errors';

describe('toAppError', () => {
  it('keeps our codes, maps quota errors and a full disk to QUOTA_EXCEEDED, and anything else to the fallback', () => {
    expect(toAppError(new CodedError('NOT_FOUND', 'gone'))).toEqual({ code: 'NOT_FOUND', message: 'gone' });
    expect(toAppError(new DOMException('over quota', 'QuotaExceededError')).code).toBe('QUOTA_EXCEEDED');
    // What Chromium's IndexedDB reports when the disk fills mid-transaction.
    const full = new DOMException('Connection is closing because of: IO error: .../000013.log: FILE_ERROR_NO_SPACE (ChromeMethodBFE: 3::WritableFileAppend::8)', 'UnknownError');
    expect(toAppError(full)).toEqual({ code: 'QUOTA_EXCEEDED', message: full.message });
    expect(toAppError(new DOMException('The transaction has finished.', 'InvalidStateError')).code).toBe('INTERNAL_ERROR');
    expect(toAppError(new Error('boom'), 'IO_ERROR').code).toBe('IO_ERROR');
  });
});

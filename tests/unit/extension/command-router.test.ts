import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../shared/errors';
import { COMMAND_MESSAGE_TYPE, dispatchCommand, type CommandHandlers } from '../../../extension/commands/router';

// Only the commands this test routes; other capabilities' handlers are never called here.
const handlers = {
  'app.info': () => ({ appVersion: '1.2.3', protocolVersion: 1, schemaVersion: 1, extensionId: 'x' }),
  'host.status': (params) => {
    if (params.refresh) throw new CodedError('HOST_TIMEOUT', 'slow host');
    throw new Error('boom');
  },
} satisfies Pick<CommandHandlers, 'app.info' | 'host.status'> as unknown as CommandHandlers;
const ctx = { senderTabId: null };

describe('background command router', () => {
  it('routes a valid command and returns its result as a value', async () => {
    expect(await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'app.info', params: {} }, ctx)).toEqual({
      ok: true,
      result: { appVersion: '1.2.3', protocolVersion: 1, schemaVersion: 1, extensionId: 'x' },
    });
  });

  it('refuses unknown commands, bad params and foreign messages with stable codes', async () => {
    expect(await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'nope' }, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'host.status', params: { refresh: 'yes' } }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_COMMAND' },
    });
    expect(await dispatchCommand(handlers, { hello: 'world' }, ctx)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('turns a thrown CodedError into its code and anything else into INTERNAL_ERROR', async () => {
    expect(await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'host.status', params: { refresh: true } }, ctx)).toEqual({
      ok: false,
      error: { code: 'HOST_TIMEOUT', message: 'slow host' },
    });
    const failed = await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'host.status', params: {} }, ctx);
    expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR', message: 'boom' } });
  });
});

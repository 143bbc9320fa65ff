import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../shared/errors';
import { callerOf, COMMAND_MESSAGE_TYPE, dispatchCommand, type CommandHandlers } from '../../../extension/commands/router';
import { commands } from '../../../shared/commands';
import { COMMAND_CALLERS } from '../../../shared/commands/define';

// Only the commands this test dispatches; other capabilities' commands are not routed here.
const handlers = {
  'app.info': () => ({ appVersion: '1.2.3', protocolVersion: 1, schemaVersion: 1, extensionId: 'x' }),
  'host.status': (params) => {
    if (params.refresh) throw new CodedError('HOST_TIMEOUT', 'slow host');
    throw new Error('boom');
  },
} satisfies Pick<CommandHandlers, 'app.info' | 'host.status'> as unknown as CommandHandlers;
const ctx = { senderTabId: null, caller: 'extension-page' as const };

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

  it('refuses a caller the command does not declare before looking at its params', async () => {
    for (const caller of ['content-script', null] as const) {
      const refused = await dispatchCommand(handlers, { type: COMMAND_MESSAGE_TYPE, method: 'host.status', params: { refresh: 'not even valid' } }, { senderTabId: 7, caller });
      expect(refused).toMatchObject({ ok: false, error: { code: 'COMMAND_FORBIDDEN' } });
    }
  });
});

describe('who sent a message (callerOf)', () => {
  const id = 'lnopfgfjfhggomclhadcgkgafokkdhdb';
  const own = `chrome-extension://${id}`;

  it('our pages, also when open in a tab, are extension pages', () => {
    expect(callerOf({ id, url: `${own}/sidepanel.html`, origin: own }, id)).toBe('extension-page');
    expect(callerOf({ id, url: `${own}/options.html#bundles`, origin: own, tab: { id: 3 } }, id)).toBe('extension-page');
  });

  it('a script of ours in a web page is a content script, whatever it claims', () => {
    expect(callerOf({ id, url: 'http://127.0.0.1:8080/page', origin: 'http://127.0.0.1:8080', tab: { id: 3 } }, id)).toBe('content-script');
    expect(callerOf({ id, url: 'about:blank', origin: 'https://evil.example', tab: { id: 3 } }, id)).toBe('content-script');
  });

  it('another extension, or a sender whose url and origin disagree, is nobody', () => {
    expect(callerOf({ id: 'abcdefghijklmnopabcdefghijklmnop', url: `chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html`, origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' }, id)).toBeNull();
    expect(callerOf({ id, url: 'https://evil.example/', origin: own, tab: { id: 3 } }, id)).toBeNull();
    expect(callerOf({ id }, id)).toBeNull();
  });
});

describe('every command declares its callers', () => {
  it('names at least one known caller for each command in the table', () => {
    for (const [name, spec] of Object.entries(commands)) {
      const callers = (spec as { callers?: readonly string[] }).callers;
      expect(Array.isArray(callers) && callers.length > 0, `${name} declares no callers`).toBe(true);
      for (const caller of callers!) expect(COMMAND_CALLERS, `${name}: unknown caller ${caller}`).toContain(caller);
    }
  });
});

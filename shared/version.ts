/**
 * Version numbers both ends agree on. The app version has one source, package.json: the extension
 * manifest (WXT), the host package (scripts/release.mjs) and this constant all read it.
 * Bump PROTOCOL_VERSION only for breaking protocol changes, and add it to PROTOCOL_SINCE.
 */
import { version } from '../package.json';

export const APP_VERSION: string = version;
export const PROTOCOL_VERSION = 1;
/** Oldest host protocol the extension still accepts (inclusive). */
export const MIN_HOST_PROTOCOL_VERSION = 1;

/** The first HydraFlow release that speaks each protocol version (a unit test keeps it with CHANGELOG.md). */
export const PROTOCOL_SINCE: Readonly<Record<number, string>> = { 1: '0.1.0' };

export function isCompatibleProtocol(hostProtocolVersion: number): boolean {
  return hostProtocolVersion >= MIN_HOST_PROTOCOL_VERSION && hostProtocolVersion <= PROTOCOL_VERSION;
}
/** Oldest extension protocol the host still serves (inclusive). */
export const MIN_EXTENSION_PROTOCOL_VERSION = 1;

/** Version numbers both ends agree on. Bump PROTOCOL_VERSION only for breaking protocol changes. */
export const APP_VERSION = '0.1.0';
export const PROTOCOL_VERSION = 1;
/** Oldest host protocol the extension still accepts (inclusive). */
export const MIN_HOST_PROTOCOL_VERSION = 1;

export function isCompatibleProtocol(hostProtocolVersion: number): boolean {
  return hostProtocolVersion >= MIN_HOST_PROTOCOL_VERSION && hostProtocolVersion <= PROTOCOL_VERSION;
}
/** Oldest extension protocol the host still serves (inclusive). */
export const MIN_EXTENSION_PROTOCOL_VERSION = 1;

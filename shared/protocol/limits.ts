/** Byte limits of the native messaging channel (Chromium's own limits, with a safety margin). */
export const MAX_INBOUND_FRAME_BYTES = 64 * 1024 * 1024; // browser → host; larger lengths are refused
/** host → browser: Chromium drops the port on a message over 1 MiB; we keep well under it. */
export const MAX_OUTBOUND_FRAME_BYTES = 1_000_000;
/** Target payload size of one streamed part or item batch, leaving room for the envelope. */
export const STREAM_PART_BYTES = 512 * 1024;

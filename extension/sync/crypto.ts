/**
 * End-to-end encryption of sync documents (docs/sync.md, "Encryption format"). The key comes from
 * the passphrase through PBKDF2-SHA256 (600,000 iterations, a random 16-byte salt kept in the
 * database's `hydraflow-sync` document): 512 bits, the first half an AES-256-GCM key, the second
 * an HMAC-SHA256 key that turns logical ids into opaque server ids. A document's plaintext is its
 * JSON, deflated, sealed with a fresh 96-bit IV and the server id as additional data (the server
 * cannot swap two documents' contents). The passphrase and the keys never leave this module's
 * caller; keys are not extractable. The last keys derived are kept in memory while the worker runs
 * (the passphrase is stored in the profile already), so a sync after the first in a worker's life
 * does not spend the KDF's half second again; another salt, passphrase or iteration count derives
 * anew, the key check is opened every time, and turning sync off forgets them.
 */
import { deflateSync, inflateSync } from 'fflate';
import { CodedError } from '../../shared/errors';
import { KDF_ITERATIONS, KEYCHECK_ID, SYNC_FORMAT, SYNC_FORMAT_VERSION, type KeycheckDoc, type ServerDoc } from '../../shared/sync/format';

const CHECK_TEXT = 'hydraflow-sync key check v1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function base64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** How documents are turned into server documents and back: sealed, or (encryption off) in clear. */
export interface SyncCodec {
  readonly encrypted: boolean;
  /** The server `_id` of a logical document id. */
  serverId(logicalId: string): Promise<string>;
  seal(serverId: string, body: unknown): Promise<Pick<ServerDoc, 'v' | 'iv' | 'ct' | 'body'>>;
  /** The plaintext of a server document; throws SYNC_DOC_UNREADABLE when it does not open. */
  open(doc: ServerDoc): Promise<unknown>;
}

/** The last keys derived, and what they were derived from (salt in base64); forgotten when sync is turned off. */
let lastDerived: { passphrase: string; salt: string; iterations: number; keys: Promise<{ aes: CryptoKey; ids: CryptoKey }> } | null = null;

/** The keys of a passphrase and salt: the ones derived last when they match, else derived (and kept). */
function keysFor(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<{ aes: CryptoKey; ids: CryptoKey }> {
  const saltText = toBase64(salt);
  if (lastDerived && lastDerived.passphrase === passphrase && lastDerived.salt === saltText && lastDerived.iterations === iterations) return lastDerived.keys;
  const keys = deriveKeys(passphrase, salt, iterations);
  lastDerived = { passphrase, salt: saltText, iterations, keys };
  // A derivation that fails is not kept.
  keys.catch(() => {
    if (lastDerived?.keys === keys) lastDerived = null;
  });
  return keys;
}

/** Forgets the keys kept in memory (sync turned off). */
export function forgetKeys(): void {
  lastDerived = null;
}

export async function deriveKeys(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<{ aes: CryptoKey; ids: CryptoKey }> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 512));
  const aes = await crypto.subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const ids = await crypto.subtle.importKey('raw', bits.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  bits.fill(0);
  return { aes, ids };
}

async function sealBytes(aes: CryptoKey, aad: string, plain: Uint8Array<ArrayBuffer>): Promise<{ iv: string; ct: string }> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(aad) }, aes, plain));
  return { iv: toBase64(iv), ct: toBase64(ct) };
}

async function openBytes(aes: CryptoKey, aad: string, iv: string, ct: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(aad) }, aes, fromBase64(ct)));
}

const aadOf = (serverId: string) => `${SYNC_FORMAT}/v${SYNC_FORMAT_VERSION}/${serverId}`;

function encryptedCodec(keys: { aes: CryptoKey; ids: CryptoKey }): SyncCodec {
  return {
    encrypted: true,
    async serverId(logicalId) {
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', keys.ids, encoder.encode(logicalId)));
      return `d${base64Url(mac.subarray(0, 16))}`;
    },
    async seal(serverId, body) {
      const plain = deflateSync(encoder.encode(JSON.stringify(body)), { level: 1 }) as Uint8Array<ArrayBuffer>;
      return { v: SYNC_FORMAT_VERSION, ...(await sealBytes(keys.aes, aadOf(serverId), plain)) };
    },
    async open(doc) {
      if (doc.iv === undefined || doc.ct === undefined) throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc._id} is not sealed`);
      try {
        return JSON.parse(decoder.decode(inflateSync(await openBytes(keys.aes, aadOf(doc._id), doc.iv, doc.ct)))) as unknown;
      } catch {
        throw new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc._id} does not open with this key`);
      }
    },
  };
}

const plainCodec: SyncCodec = {
  encrypted: false,
  serverId: (logicalId) => Promise.resolve(`p:${logicalId}`),
  seal: (_serverId, body) => Promise.resolve({ v: SYNC_FORMAT_VERSION, body }),
  open: (doc) => {
    if (doc.body === undefined) return Promise.reject(new CodedError('SYNC_DOC_UNREADABLE', `Document ${doc._id} has no body`));
    return Promise.resolve(doc.body);
  },
};

/** A new database's key document (a fresh salt) and its codec. */
export async function createKeycheck(passphrase: string | null, iterations = KDF_ITERATIONS): Promise<{ doc: KeycheckDoc; codec: SyncCodec }> {
  if (passphrase === null) return { doc: { _id: KEYCHECK_ID, format: SYNC_FORMAT, v: SYNC_FORMAT_VERSION, encrypted: false, kdf: null, check: null }, codec: plainCodec };
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const keys = await keysFor(passphrase, salt, iterations);
  const check = await sealBytes(keys.aes, aadOf(KEYCHECK_ID), encoder.encode(CHECK_TEXT));
  return {
    doc: { _id: KEYCHECK_ID, format: SYNC_FORMAT, v: SYNC_FORMAT_VERSION, encrypted: true, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) }, check },
    codec: encryptedCodec(keys),
  };
}

/**
 * The codec of an existing database, from its key document: SYNC_WRONG_PASSPHRASE when the key
 * does not open the check, SYNC_ENCRYPTION_MISMATCH when one side encrypts and the other does not.
 */
export async function openKeycheck(doc: KeycheckDoc, passphrase: string | null): Promise<SyncCodec> {
  if (!doc.encrypted) {
    if (passphrase !== null) throw new CodedError('SYNC_ENCRYPTION_MISMATCH', 'This database is not encrypted, but encryption is on here: turn it off, or use another database');
    return plainCodec;
  }
  if (passphrase === null || !doc.kdf || !doc.check) throw new CodedError('SYNC_ENCRYPTION_MISMATCH', 'This database is encrypted: enter its passphrase');
  const keys = await keysFor(passphrase, fromBase64(doc.kdf.salt), doc.kdf.iterations);
  let text = '';
  try {
    text = decoder.decode(await openBytes(keys.aes, aadOf(KEYCHECK_ID), doc.check.iv, doc.check.ct));
  } catch {
    // AES-GCM's tag fails: another passphrase.
  }
  if (text !== CHECK_TEXT) throw new CodedError('SYNC_WRONG_PASSPHRASE', 'The passphrase does not open this database: it was set up with another one');
  return encryptedCodec(keys);
}

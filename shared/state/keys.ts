import { createHash } from 'node:crypto';

/**
 * Characters Table Storage rejects in PartitionKey and RowKey values, plus `%`, which is encoded
 * too so that decoding is unambiguous.
 */
const forbiddenKeyCharacters = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;

/** Table Storage allows 1 KiB per key; 512 UTF-16 code units of 2 bytes each stay within it. */
const maxKeyLength = 512;

/**
 * Encodes any string as a valid PartitionKey or RowKey: `%`, `/`, `\`, `#`, `?` and control
 * characters become `%XX` (UTF-8), so the encoding is reversible and keeps ordinary keys readable.
 * An encoded key longer than 512 characters is shortened to a prefix plus its SHA-256. Such a key
 * cannot be decoded, so rows also store the original value in a property.
 */
export function encodeTableKey(value: string): string {
  const encoded = value.replace(forbiddenKeyCharacters, (character) =>
    encodeURIComponent(character),
  );
  if (encoded.length <= maxKeyLength) return encoded;
  const digest = createHash('sha256').update(value).digest('hex');
  return `${encoded.slice(0, maxKeyLength - digest.length - 1)}~${digest}`;
}

/** Reverses `encodeTableKey` for keys that were not shortened. */
export function decodeTableKey(key: string): string {
  return decodeURIComponent(key);
}

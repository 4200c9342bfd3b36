// S3 object tags on the wire: the Tagging XML document of Get/PutObjectTagging,
// the `x-amz-tagging` header of PutObject and CreateMultipartUpload, and S3's
// limits on them.

export interface Tag {
  Key: string;
  Value: string;
}

const MAX_TAGS = 10;

export function taggingXml(tags: readonly Tag[]): string {
  const tagSet = tags.map((t) => `<Tag><Key>${escapeXml(t.Key)}</Key><Value>${escapeXml(t.Value)}</Value></Tag>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tagSet}</TagSet></Tagging>`;
}

export function parseTaggingXml(xml: string): Tag[] {
  return [...xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map((m) => ({
    Key: unescapeXml(/<Key>([\s\S]*?)<\/Key>/.exec(m[1]!)?.[1] ?? ''),
    Value: unescapeXml(/<Value>([\s\S]*?)<\/Value>/.exec(m[1]!)?.[1] ?? ''),
  }));
}

/** `x-amz-tagging: k1=v1&k2=v2`, URL-encoded like a query string. */
export function parseTaggingHeader(header: string | undefined): Tag[] {
  if (!header) return [];
  return [...new URLSearchParams(header)].map(([Key, Value]) => ({ Key, Value }));
}

/** S3's InvalidTag reasons, or undefined when the set is valid. */
export function invalidTags(tags: readonly Tag[]): string | undefined {
  if (tags.length > MAX_TAGS) return `Object tags cannot be greater than ${MAX_TAGS}`;
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.length < 1 || tag.Key.length > 128) return 'The TagKey you have provided is invalid';
    if (tag.Value.length > 256) return 'The TagValue you have provided is invalid';
    if (keys.has(tag.Key)) return 'Cannot provide multiple Tags with the same key';
    keys.add(tag.Key);
  }
  return undefined;
}

/** The keys of a DeleteObjects request body. */
export function deletedKeys(xml: string): string[] {
  return [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
}

export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

function unescapeXml(s: string): string {
  return s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replace(/&#(x[0-9a-fA-F]+|[0-9]+);/g, (_, code: string) => String.fromCodePoint(code.startsWith('x') ? parseInt(code.slice(1), 16) : parseInt(code, 10)))
    .replaceAll('&amp;', '&');
}

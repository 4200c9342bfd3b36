import { deletedKeys, invalidTags, parseTaggingHeader, parseTaggingXml, taggingXml } from '../../../src/infra/local-aws/fauxqs/tag-xml.js';

describe('tag XML', () => {
  it('round-trips a tag set, escaping markup characters', () => {
    const tags = [
      { Key: 'a&b', Value: '<v>' },
      { Key: 'quote', Value: `"it's"` },
    ];
    expect(parseTaggingXml(taggingXml(tags))).toEqual(tags);
  });

  it('reads what the SDK sends, whitespace and numeric entities included', () => {
    const xml = '<Tagging xmlns="x"><TagSet>\n <Tag> <Key>k&#38;1</Key> <Value>v&#x3C;</Value> </Tag></TagSet></Tagging>';
    expect(parseTaggingXml(xml)).toEqual([{ Key: 'k&1', Value: 'v<' }]);
    expect(parseTaggingXml('<Tagging><TagSet/></Tagging>')).toEqual([]);
  });

  it('reads the x-amz-tagging header as a query string', () => {
    expect(parseTaggingHeader('workflow-commit=pending&a=b%20c&empty=')).toEqual([
      { Key: 'workflow-commit', Value: 'pending' },
      { Key: 'a', Value: 'b c' },
      { Key: 'empty', Value: '' },
    ]);
    expect(parseTaggingHeader(undefined)).toEqual([]);
  });

  it('enforces S3 tag limits', () => {
    expect(invalidTags([{ Key: 'k', Value: 'v' }])).toBeUndefined();
    expect(invalidTags(Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: '' })))).toBe('Object tags cannot be greater than 10');
    expect(invalidTags([{ Key: '', Value: 'v' }])).toBe('The TagKey you have provided is invalid');
    expect(invalidTags([{ Key: 'k', Value: 'v'.repeat(257) }])).toBe('The TagValue you have provided is invalid');
    expect(invalidTags([{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }])).toBe('Cannot provide multiple Tags with the same key');
  });

  it('lists the keys of a DeleteObjects body', () => {
    expect(deletedKeys('<Delete><Object><Key>a/1</Key></Object><Object><Key>b&amp;c</Key></Object><Quiet>true</Quiet></Delete>')).toEqual(['a/1', 'b&c']);
  });
});

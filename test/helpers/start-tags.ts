import assert from 'node:assert/strict';
import sax from 'sax';

/** A start tag as sax reads it (qualified name as written, attribute values decoded), and its raw text. */
export interface StartTag {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly raw: string;
}

/** Every start tag of `xml`, in document order. Text, comments, CDATA and PIs are not tags. */
export function startTags(xml: string): StartTag[] {
  const parser = sax.parser(true);
  const tags: StartTag[] = [];
  parser.onopentag = (tag) => {
    const raw = xml.slice(parser.startTagPosition - 1, parser.position);
    tags.push({ name: tag.name, attributes: tag.attributes as Record<string, string>, raw });
  };
  parser.write(xml).close();
  return tags;
}

/** The values of `attribute` on the elements named `name` (a qualified name, as written). */
export function attributeValues(xml: string, name: string, attribute: string): string[] {
  return startTags(xml)
    .filter((tag) => tag.name === name && attribute in tag.attributes)
    .map((tag) => tag.attributes[attribute] ?? '');
}

/** One attribute value that differs between two texts. */
export interface ChangedValue {
  readonly tag: string;
  readonly attribute: string;
  readonly before: string;
  readonly after: string;
}

// Outside a value no quote can occur in a start tag, so the first quote opens a value and the next
// same quote closes it.
const quotedValue = /"[^"]*"|'[^']*'/g;

/**
 * Asserts that `after` differs from `before` only inside attribute values of start tags, with each
 * value keeping its quotes, and returns those that differ (decoded, as sax reads them).
 */
export function changedValues(before: string, after: string): ChangedValue[] {
  assert.equal(emptyValues(after), emptyValues(before), 'the texts differ outside attribute values');
  const changed: ChangedValue[] = [];
  const tagsBefore = startTags(before);
  const tagsAfter = startTags(after);
  tagsBefore.forEach((tag, i) => {
    const other = tagsAfter[i];
    assert.ok(other !== undefined);
    if (other.raw === tag.raw) return;
    for (const [attribute, value] of Object.entries(tag.attributes)) {
      const next = other.attributes[attribute] ?? '';
      if (next !== value) changed.push({ tag: tag.name, attribute, before: value, after: next });
    }
  });
  return changed;
}

/** `xml` with every value inside a start tag emptied, quotes kept: all that must not change. */
function emptyValues(xml: string): string {
  let result = '';
  let done = 0;
  const parser = sax.parser(true);
  parser.onopentag = () => {
    const start = parser.startTagPosition - 1;
    const raw = xml.slice(start, parser.position);
    result += xml.slice(done, start) + raw.replace(quotedValue, (value) => value.charAt(0).repeat(2));
    done = parser.position;
  };
  parser.write(xml).close();
  return result + xml.slice(done);
}

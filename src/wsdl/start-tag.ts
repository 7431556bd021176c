/**
 * One attribute value inside the raw text of a start tag, so that it can be replaced without touching
 * any other byte of the document. Only called on tags that sax has accepted in strict mode: every
 * attribute is quoted and preceded by whitespace, and a quoted value never contains its own quote.
 */

export type Quote = '"' | "'";

/** Where an attribute's raw value lies in the text: `start` and `end` are just inside the quotes. */
export interface ValueSpan {
  readonly start: number;
  readonly end: number;
  readonly quote: Quote;
}

// XML's own four whitespace characters, as sax tests them (`\s` would also take U+00A0 and friends).
const tagName = /<[^ \t\r\n/>]+/y;
const attributeHead = /[ \t\r\n]+([^ \t\r\n=]+)[ \t\r\n]*=[ \t\r\n]*(["'])/y;

/**
 * The span of the value of `name` in the start tag at `tagStart` (the offset of its `<`). Reading the
 * quotes as a scanner does means a `>` or a look-alike tag inside a value cannot mislead it. sax keeps
 * the first of two same-named attributes, and so does this.
 */
export function attributeValueSpan(xml: string, tagStart: number, name: string): ValueSpan {
  tagName.lastIndex = tagStart;
  if (!tagName.test(xml)) throw new Error(`No start tag at offset ${tagStart}`);
  let index = tagName.lastIndex;
  for (;;) {
    attributeHead.lastIndex = index;
    const head = attributeHead.exec(xml);
    if (head === null) throw new Error(`No attribute \`${name}\` in the start tag at offset ${tagStart}`);
    const quote = head[2] as Quote;
    const start = attributeHead.lastIndex;
    const end = xml.indexOf(quote, start);
    if (head[1] === name) return { start, end, quote };
    index = end + 1;
  }
}

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', "'": '&apos;' };

/** `value` written for a place between `quote`s: `&`, `<` and that quote escaped, nothing else. */
export function escapeAttributeValue(value: string, quote: Quote): string {
  const special = quote === '"' ? /[&<"]/g : /[&<']/g;
  return value.replace(special, (character) => escapes[character] ?? character);
}

// A strict reader for the small XML documents the protocol exchanges (the segnatura): elements, attributes,
// namespaces, text and the five predefined entities plus character references. No DTD, no CDATA, no
// processing instructions besides the declaration: a segnatura needs none, and refusing them is safer.

export interface XmlElement {
  /** Namespace URI ('' for none) and local name. */
  ns: string;
  name: string;
  /** Keyed `{ns}name` for a qualified attribute, `name` for an unqualified one (namespace declarations left out). */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own text, entities resolved, trimmed of nothing. */
  text: string;
}

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescape(text: string, at: number): string {
  return text.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlSyntaxError(`unterminated reference near offset ${at}`);
    if (ENTITIES[ref]) return ENTITIES[ref];
    const code = /^#x([0-9a-fA-F]+)$/.exec(ref)?.[1] ?? /^#([0-9]+)$/.exec(ref)?.[1];
    if (code === undefined) throw new XmlSyntaxError(`unknown entity &${ref}; near offset ${at}`);
    return String.fromCodePoint(ref.startsWith('#x') ? parseInt(code, 16) : Number(code));
  });
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlSyntaxError(`${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const skipComments = () => {
    for (skipSpace(); source.startsWith('<!--', i); skipSpace()) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    }
  };
  if (source.startsWith('\uFEFF')) i = 1;
  if (source.startsWith('<?xml', i)) {
    const end = source.indexOf('?>', i);
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipComments();

  function element(scope: Map<string, string>): XmlElement {
    if (source[i] !== '<') fail('expected an element');
    i++;
    const tag = NAME.exec(source.slice(i))?.[0] ?? fail('expected an element name');
    i += tag.length;
    const raw: [string, string][] = [];
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i) || source[i] === '>') break;
      if (i === before) fail('expected a space before an attribute');
      const name = NAME.exec(source.slice(i))?.[0] ?? fail('expected an attribute name');
      i += name.length;
      skipSpace();
      if (source[i] !== '=') fail(`expected = after ${name}`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for ${name}`);
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const value = source.slice(i + 1, end);
      if (value.includes('<')) fail(`< in the value of ${name}`);
      if (raw.some(([n]) => n === name)) fail(`duplicate attribute ${name}`);
      raw.push([name, unescape(value, i)]);
      i = end + 1;
    }
    const inScope = new Map(scope);
    for (const [name, value] of raw) {
      if (name === 'xmlns') inScope.set('', value);
      else if (name.startsWith('xmlns:')) inScope.set(name.slice(6), value);
    }
    const resolve = (qname: string, isElement: boolean): [string, string] => {
      const colon = qname.indexOf(':');
      if (colon < 0) return [isElement ? (inScope.get('') ?? '') : '', qname];
      const prefix = qname.slice(0, colon);
      const ns = prefix === 'xml' ? XML_NS : inScope.get(prefix);
      if (ns === undefined) fail(`undeclared prefix ${prefix}`);
      return [ns!, qname.slice(colon + 1)];
    };
    const [ns, name] = resolve(tag, true);
    const attributes = new Map<string, string>();
    for (const [qname, value] of raw) {
      if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
      const [ans, local] = resolve(qname, false);
      const key = ans ? `{${ans}}${local}` : local;
      if (attributes.has(key)) fail(`duplicate attribute ${key}`);
      attributes.set(key, value);
    }
    const result: XmlElement = { ns, name, attributes, children: [], text: '' };
    if (source.startsWith('/>', i)) {
      i += 2;
      return result;
    }
    i++;
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) fail(`unclosed element ${tag}`);
      result.text += unescape(source.slice(i, next), i);
      i = next;
      if (source.startsWith('</', i)) {
        i += 2;
        if (!source.startsWith(tag, i)) fail(`mismatched end tag, expected </${tag}>`);
        i += tag.length;
        skipSpace();
        if (source[i] !== '>') fail(`malformed end tag </${tag}>`);
        i++;
        return result;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
        continue;
      }
      if (source.startsWith('<!', i) || source.startsWith('<?', i)) fail('CDATA, DTD and processing instructions are not accepted');
      result.children.push(element(inScope));
    }
  }

  const root = element(new Map([['xml', XML_NS]]));
  skipComments();
  if (i < source.length) fail('content after the root element');
  return root;
}

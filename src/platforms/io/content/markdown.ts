// A message's Markdown as IO renders it (shared/reference/io.md §5.1, IO's "Guide to the Markdown"): headings
// #..###, bold, italic, bold-italic, monospace, bullet and numbered lists (nested by indentation), paragraphs,
// line breaks (two trailing spaces) and links. Everything else is text: no raw HTML ever (every character the
// sender wrote is escaped), and only http(s), mailto and tel links; any other link is shown as its label alone.
import { attr, escapeHtml, SafeHtml } from '../../../core/html.ts';

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** The URL as a safe href (normalised by the URL parser), or undefined for another scheme or a relative URL. */
export function safeHref(url: string): string | undefined {
  // Control characters and spaces are never part of a link a sender means (and parsers differ on them).
  if (/[\u0000-\u0020\u007f]/.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return LINK_PROTOCOLS.has(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

// --- Inline: code, links, emphasis; the rest escaped ------------------------------------------------------

const ESCAPABLE = /[\\`*_[\]()#+\-.!{}]/;

/** The index after the bracket that closes the one at `open` (nested pairs counted), or -1. */
function closing(text: string, open: number, left: string, right: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === left) depth++;
    else if (text[i] === right && --depth === 0) return i;
  }
  return -1;
}

/** An emphasis that closes the run of `count` delimiters opened at `start`: [content end, end after the closer], or undefined. */
function emphasisEnd(text: string, start: number, delimiter: string, count: number): [number, number] | undefined {
  const closer = delimiter.repeat(count);
  const from = start + count;
  if (from >= text.length || /\s/.test(text[from]!)) return undefined;
  for (let i = from + 1; i <= text.length - count; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text.startsWith(closer, i) && !/\s/.test(text[i - 1]!) && text[i + count] !== delimiter) {
      // Underscores inside a word (snake_case) are not emphasis.
      if (delimiter === '_' && /[\p{L}\p{N}]/u.test(text[i + count] ?? '')) continue;
      return [i, i + count];
    }
  }
  return undefined;
}

function inline(text: string, links: boolean): string {
  let out = '';
  let plain = '';
  const flush = () => {
    out += escapeHtml(plain);
    plain = '';
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '\\' && ESCAPABLE.test(text[i + 1] ?? '')) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out += `<code>${escapeHtml(text.slice(i + 1, end))}</code>`;
        i = end + 1;
        continue;
      }
    }
    if (c === '[' && links) {
      const labelEnd = closing(text, i, '[', ']');
      if (labelEnd > 0 && text[labelEnd + 1] === '(') {
        const urlEnd = closing(text, labelEnd + 1, '(', ')');
        if (urlEnd > 0) {
          flush();
          const label = inline(text.slice(i + 1, labelEnd), false);
          const href = safeHref(text.slice(labelEnd + 2, urlEnd).trim());
          out += href ? `<a${attr('href', href).value} rel="noopener noreferrer">${label}</a>` : label;
          i = urlEnd + 1;
          continue;
        }
      }
    }
    if (c === '*' || c === '_') {
      let run = 0;
      while (text[i + run] === c) run++;
      const count = Math.min(run, 3);
      const wordBefore = c === '_' && /[\p{L}\p{N}]/u.test(text[i - 1] ?? '');
      const end = !wordBefore && run <= 3 ? emphasisEnd(text, i, c, count) : undefined;
      if (end) {
        flush();
        const content = inline(text.slice(i + count, end[0]), links);
        out += count === 3 ? `<strong><em>${content}</em></strong>` : count === 2 ? `<strong>${content}</strong>` : `<em>${content}</em>`;
        i = end[1];
        continue;
      }
      plain += c.repeat(run);
      i += run;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

/** A paragraph's or item's lines: two trailing spaces (or a backslash) end a line with a break. */
function lines(texts: string[]): string {
  return texts
    .map((line, i) => {
      const last = i === texts.length - 1;
      const hardBreak = !last && (/ {2,}$/.test(line) || /\\$/.test(line));
      const content = inline(line.replace(/\\$/, '').trim(), true);
      return hardBreak ? `${content}<br>` : content;
    })
    .join('\n');
}

// --- Blocks: headings, lists, paragraphs ------------------------------------------------------------------

const HEADING = /^ {0,3}(#{1,3})[ \t]+(.*?)[ \t#]*$/;
const ITEM = /^([ \t]*)([*+-]|\d{1,9}[.)])[ \t]+(.*)$/;

interface ListItem {
  indent: number;
  ordered: boolean;
  start: number;
  lines: string[];
  children: ListItem[];
}

const indentOf = (whitespace: string) => whitespace.replace(/\t/g, '    ').length;

function renderList(items: ListItem[]): string {
  const groups: ListItem[][] = [];
  for (const item of items) {
    const group = groups.at(-1);
    if (group && group[0]!.ordered === item.ordered) group.push(item);
    else groups.push([item]);
  }
  return groups
    .map((group) => {
      const first = group[0]!;
      const tag = first.ordered ? 'ol' : 'ul';
      const start = first.ordered && first.start !== 1 ? ` start="${first.start}"` : '';
      const body = group.map((item) => `<li>${lines(item.lines)}${item.children.length ? renderList(item.children) : ''}</li>`).join('');
      return `<${tag}${start}>${body}</${tag}>`;
    })
    .join('');
}

/**
 * The list starting at `lines[from]`: items nest under the item before them when indented further; a line that is
 * not an item continues the item above. Answers the HTML and the index of the first line after the list.
 */
function list(source: string[], from: number): [string, number] {
  const roots: ListItem[] = [];
  const stack: ListItem[] = [];
  let i = from;
  for (; i < source.length; i++) {
    const line = source[i]!;
    if (line.trim() === '' || HEADING.test(line)) break;
    const match = ITEM.exec(line);
    if (!match) {
      stack.at(-1)!.lines.push(line);
      continue;
    }
    const marker = match[2]!;
    const ordered = /\d/.test(marker);
    const item: ListItem = { indent: indentOf(match[1]!), ordered, start: ordered ? Number.parseInt(marker, 10) : 1, lines: [match[3]!], children: [] };
    while (stack.length && stack.at(-1)!.indent >= item.indent) stack.pop();
    (stack.at(-1)?.children ?? roots).push(item);
    stack.push(item);
  }
  return [renderList(roots), i];
}

/** The message's Markdown as HTML; no character of the input is ever taken as markup. */
export function renderMarkdown(markdown: string): SafeHtml {
  const source = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: string[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) blocks.push(`<p>${lines(paragraph)}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < source.length; ) {
    const line = source[i]!;
    const heading = HEADING.exec(line);
    if (line.trim() === '') {
      endParagraph();
      i++;
    } else if (heading) {
      endParagraph();
      // The page's own title is the h1: the message's headings start at h2.
      const level = heading[1]!.length + 1;
      blocks.push(`<h${level}>${inline(heading[2]!, true)}</h${level}>`);
      i++;
    } else if (ITEM.test(line)) {
      endParagraph();
      const [rendered, next] = list(source, i);
      blocks.push(rendered);
      i = next;
    } else {
      paragraph.push(line);
      i++;
    }
  }
  endParagraph();
  return new SafeHtml(blocks.join('\n'));
}

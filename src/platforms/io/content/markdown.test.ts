import { describe, expect, it } from 'vitest';
import { renderMarkdown, safeHref } from './markdown.ts';

const md = (text: string) => renderMarkdown(text).value;

describe('renderMarkdown: the IO subset', () => {
  it('renders headings (from h2), paragraphs and line breaks', () => {
    expect(md('# Titolo\n## Sezione\n### Voce')).toBe('<h2>Titolo</h2>\n<h3>Sezione</h3>\n<h4>Voce</h4>');
    expect(md('Prima riga  \nseconda riga\n\nAltro paragrafo')).toBe('<p>Prima riga<br>\nseconda riga</p>\n<p>Altro paragrafo</p>');
    expect(md('#### not a heading')).toBe('<p>#### not a heading</p>');
  });

  it('renders bold, italic, bold-italic and monospace', () => {
    expect(md('**grassetto** __anche__ *corsivo* _pure_ ***entrambi*** `codice *non* formattato`')).toBe(
      '<p><strong>grassetto</strong> <strong>anche</strong> <em>corsivo</em> <em>pure</em> <strong><em>entrambi</em></strong> <code>codice *non* formattato</code></p>',
    );
    expect(md('snake_case_name and 2 * 3 * 4')).toBe('<p>snake_case_name and 2 * 3 * 4</p>');
    expect(md('**non chiuso')).toBe('<p>**non chiuso</p>');
  });

  it('renders bullet and numbered lists, nested by indentation', () => {
    expect(md('Elenco:\n* uno\n* due\n  1. a\n  2. b\n* tre')).toBe('<p>Elenco:</p>\n<ul><li>uno</li><li>due<ol><li>a</li><li>b</li></ol></li><li>tre</li></ul>');
    expect(md('3. terzo\n4. quarto')).toBe('<ol start="3"><li>terzo</li><li>quarto</li></ol>');
    expect(md('- **uno** con [link](https://example.it)')).toBe('<ul><li><strong>uno</strong> con <a href="https://example.it/" rel="noopener noreferrer">link</a></li></ul>');
  });

  it('renders http(s), mailto and tel links only', () => {
    expect(md('[sito](https://www.comune.example.it/tari?x=1&y=2)')).toBe('<p><a href="https://www.comune.example.it/tari?x=1&amp;y=2" rel="noopener noreferrer">sito</a></p>');
    expect(md('[scrivi](mailto:tributi@comune.example.it) [chiama](tel:+390501234567)')).toContain('href="mailto:tributi@comune.example.it"');
    expect(md('[wiki](https://it.wikipedia.org/wiki/Pisa_(città))')).toContain('href="https://it.wikipedia.org/wiki/Pisa_(citt%C3%A0)"');
  });
});

describe('renderMarkdown: no HTML and no script, ever', () => {
  const vectors = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](javascript&#58;alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x](vbscript:msgbox(1))',
    '[x](//evil.example/)',
    '[x]( javascript:alert(1))',
    '[[x](javascript:alert(1))](https://ok.example)',
    '[x](https://ok.example" onmouseover="alert(1))',
    '**<b onclick=alert(1)>x</b>**',
    '`<script>`',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '# <svg onload=alert(1)>',
    '* <iframe src=javascript:alert(1)>',
  ];
  for (const vector of vectors) {
    it(`neutralises ${JSON.stringify(vector)}`, () => {
      const out = md(vector);
      expect(out).not.toMatch(/<(?!\/?(p|h[234]|strong|em|code|ul|ol|li|br|a)[ >])/);
      expect(out).not.toMatch(/href="(?!https?:|mailto:|tel:)/);
      expect(out).not.toMatch(/<[^>]+\son\w+=/i);
      expect(out).not.toContain('<script');
    });
  }

  it('shows a link of another scheme as its label alone, and entities as typed', () => {
    expect(md('[premi qui](javascript:alert(1))')).toBe('<p>premi qui</p>');
    expect(md('&amp; &#60;')).toBe('<p>&amp;amp; &amp;#60;</p>');
    expect(md('<b>x</b>')).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
  });

  it('safeHref: only absolute http(s), mailto and tel', () => {
    expect(safeHref('https://a.example')).toBe('https://a.example/');
    expect(safeHref('tel:+39050')).toBe('tel:+39050');
    for (const bad of ['javascript:x', 'data:,x', '/relative', 'file:///etc/passwd', 'https://a.example/ x', 'ftp://a.example']) expect(safeHref(bad)).toBeUndefined();
  });
});

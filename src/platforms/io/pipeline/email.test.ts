import { expect, it } from 'vitest';
import { EMAIL_PREVIEW_LENGTH, emailMessageId, forwardedEmail, plainPreview } from './email.ts';

it('keeps the text of links and drops their addresses, bare URLs, images and Markdown markers', () => {
  const markdown = '## Titolo\n\n> Nota: **importante** e _urgente_ ~~vecchio~~ `codice`\n\n- voce [sito](https://a.example/x) ![logo](https://a.example/l.png) e <https://b.example>\n1. www.c.example fine';
  expect(plainPreview(markdown)).toBe('Titolo Nota: importante e urgente vecchio codice voce sito e fine');
});

it('cuts at 134 characters (code points) and says so', () => {
  const preview = plainPreview('è'.repeat(200));
  expect([...preview]).toHaveLength(EMAIL_PREVIEW_LENGTH + 1);
  expect(preview.endsWith('…')).toBe(true);
  expect(plainPreview('breve')).toBe('breve');
});

it('escapes the message in the HTML and names the Message-ID after the message', () => {
  const mail = forwardedEmail({ messageId: '01JB0000000000000000000000', subject: 'Avviso <b>urgente</b>', markdown: 'Testo & altro', serviceName: 'Comune' }, 'en', 'https://io.example');
  expect(mail.html).toContain('Avviso &lt;b&gt;urgente&lt;/b&gt;');
  expect(mail.html).toContain('Testo &amp; altro');
  expect(mail.html).toContain('Open the message in IO');
  expect(mail.messageId).toBe(emailMessageId('01JB0000000000000000000000', 'https://io.example'));
  expect(mail.messageId).toBe('<01JB0000000000000000000000.message@io.example>');
});

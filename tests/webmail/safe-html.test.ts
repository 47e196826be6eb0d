// sanitizeMessageHtml on its own: each way HTML mail tries to run script,
// fetch something remote or leave its box, one case per line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeMessageHtml, textToHtml } from '../../mail-daemon/webmail/safe-html.ts';

const cidUrl = (cid: string) => (cid === 'known@x' ? '/api/mail/messages/7/parts/2?inline=1' : undefined);
const clean = (html: string, allowRemote = false) => sanitizeMessageHtml(html, { allowRemote, cidUrl });

const HOSTILE: [string, string][] = [
  ['script element', '<script>alert(1)</script>'],
  ['script in svg', '<svg><script>alert(1)</script></svg>'],
  ['event handler', '<p onclick="alert(1)" onmouseover="alert(2)">x</p>'],
  ['img onerror', '<img src="x" onerror="alert(1)">'],
  ['javascript: link', '<a href="javascript:alert(1)">x</a>'],
  ['entity-encoded javascript:', '<a href="&#106;avascript&#58;alert(1)">x</a>'],
  ['mixed-case, spaced javascript:', '<a href=" JaVaScRiPt:alert(1)">x</a>'],
  ['vbscript: link', '<a href="vbscript:msgbox(1)">x</a>'],
  ['data: html link', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
  ['iframe', '<iframe src="https://evil.test/"></iframe>'],
  ['object and embed', '<object data="https://evil.test/x"></object><embed src="https://evil.test/y">'],
  ['form', '<form action="https://evil.test/"><input name="p"><button>go</button></form>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.test/">'],
  ['base href', '<base href="https://evil.test/">'],
  ['link stylesheet', '<link rel="stylesheet" href="https://evil.test/s.css">'],
  ['style block with import', '<style>@import url(https://evil.test/s.css); body{background:url(https://evil.test/b)}</style>'],
  ['inline css url', '<div style="background-image: url(https://evil.test/b)">x</div>'],
  ['inline css escape', '<div style="background: u\\72l(https://evil.test/b)">x</div>'],
  ['inline css expression', '<div style="width: expression(alert(1))">x</div>'],
  ['inline css overlay', '<div style="position: fixed; top: 0; z-index: 9999">x</div>'],
  ['table background', '<table background="https://evil.test/t.png"><tr><td background="https://evil.test/c.png">x</td></tr></table>'],
  ['srcset', '<img srcset="https://evil.test/a.png 1x">'],
  ['video poster', '<video poster="https://evil.test/p.png" src="https://evil.test/v.mp4"></video>'],
  ['protocol-relative image', '<img src="//evil.test/p.png">'],
  ['remote image', '<img src="https://evil.test/pixel.gif">'],
  ['unknown cid', '<img src="cid:unknown@x">'],
];

describe('safe HTML for the reading view', () => {
  for (const [name, html] of HOSTILE) {
    it(`neutralizes: ${name}`, () => {
      const { html: out } = clean(`<p>before</p>${html}<p>after</p>`);
      assert.doesNotMatch(out, /<script|<iframe|<object|<embed|<form|<input|<meta|<base|<link|<style|<svg|<video|\son\w+=|javascript|vbscript|data:|expression|url\(|position|z-index|srcset|background=|evil\.test/i, out);
      assert.match(out, /<p>before<\/p>/);
      assert.match(out, /<p>after<\/p>/);
    });
  }

  it('keeps ordinary mail formatting and safe links, opening in a new tab', () => {
    const { html } = clean('<table width="100%" cellpadding="4"><tr><td align="center" style="color: #333; font-size: 14px"><b>Hi</b> <a href="https://ok.test/a?b=1&amp;c=2">link</a> <a href="mailto:x@ok.test">mail</a></td></tr></table>');
    assert.match(html, /<table width="100%" cellpadding="4">/);
    assert.match(html, /<td align="center" style="color: #333; font-size: 14px"><b>Hi<\/b>/);
    assert.match(html, /<a href="https:\/\/ok\.test\/a\?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">link<\/a>/);
    assert.match(html, /<a href="mailto:x@ok\.test" target="_blank"/);
  });

  it('maps known cid: images to the part URL and counts blocked remote images', () => {
    const result = clean('<img src="cid:known@x" alt="logo"><img src="https://a.test/1.png"><img src="http://b.test/2.png">');
    assert.match(result.html, /<img alt="logo" src="\/api\/mail\/messages\/7\/parts\/2\?inline=1" \/>/);
    assert.equal(result.blockedRemote, 2);
    const allowed = clean('<img src="https://a.test/1.png">', true);
    assert.match(allowed.html, /<img src="https:\/\/a\.test\/1\.png" \/>/);
    assert.equal(allowed.blockedRemote, 0);
  });

  it('shows plain text escaped, with web links clickable', () => {
    const html = textToHtml('<b>not bold</b> see https://ok.test/x?y=1. & more');
    assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
    assert.match(html, /<a href="https:\/\/ok\.test\/x\?y=1" target="_blank" rel="noopener noreferrer nofollow">https:\/\/ok\.test\/x\?y=1<\/a>\. &amp; more/);
  });
});

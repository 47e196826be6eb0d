// HTML mail made safe to show, on the server, before it reaches the browser:
// an allowlist of tags and attributes (no script, no event handler, no form,
// no frame, no <style> block), links only to http, https and mailto, inline
// CSS without url(), expressions, imports or positioning that could cover the
// page, and images either cid: (mapped to the part's download URL) or remote
// (kept only when the user allowed them; otherwise left out and counted, so
// the view can offer "show images"). The browser then shows the result in an
// iframe sandboxed without allow-scripts, a second wall.
import sanitizeHtml from 'sanitize-html';

export interface SafeHtmlOptions {
  /** Keep remote images (the user allowed them for this message or sender). */
  allowRemote: boolean;
  /** URL of an inline part by its Content-ID, undefined when the message has no such part. */
  cidUrl(contentId: string): string | undefined;
}

export interface SafeHtml {
  html: string;
  /** Remote images (and other remote resources) that were left out. */
  blockedRemote: number;
}

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
  'img', 'font', 'center', 'u', 's', 'strike', 'small', 'big', 'span', 'div', 'hr', 'br',
];

const CELL_ATTRIBUTES = ['width', 'height', 'align', 'valign', 'bgcolor', 'colspan', 'rowspan', 'nowrap'];

const ALLOWED_ATTRIBUTES: sanitizeHtml.IOptions['allowedAttributes'] = {
  '*': ['style', 'align', 'dir', 'title', 'lang', 'class'],
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'border'],
  font: ['color', 'face', 'size'],
  table: ['width', 'height', 'align', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'role'],
  td: CELL_ATTRIBUTES,
  th: CELL_ATTRIBUTES,
  tr: ['align', 'valign', 'bgcolor', 'height'],
  col: ['width', 'span'],
  colgroup: ['width', 'span'],
  ol: ['start', 'type'],
  li: ['value'],
  blockquote: ['cite'],
};

/** Inline CSS that can fetch, run, or leave the message's box: the declaration goes. */
const UNSAFE_CSS = /url\s*\(|image-set|expression|javascript:|vbscript:|@import|behavior|-moz-binding|\\|position\s*:\s*(fixed|absolute|sticky)|z-index/i;

function cleanStyle(style: string): string {
  return style
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && d.includes(':') && !UNSAFE_CSS.test(d))
    .join('; ');
}

function isRemote(url: string): boolean {
  return /^(https?:)?\/\//i.test(url.trim());
}

export function sanitizeMessageHtml(html: string, options: SafeHtmlOptions): SafeHtml {
  let blockedRemote = 0;
  const withCleanStyle = (attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes => {
    if (attribs.style === undefined) return attribs;
    const { style, ...rest } = attribs;
    const cleaned = cleanStyle(style);
    return cleaned ? { ...rest, style: cleaned } : rest;
  };
  const html2 = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: false,
    parseStyleAttributes: false,
    // Whatever is inside these goes with them; other unknown tags keep their text.
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'iframe', 'object', 'svg', 'math'],
    transformTags: {
      '*': (tagName, attribs) => ({ tagName, attribs: withCleanStyle(attribs) }),
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...withCleanStyle(attribs), target: '_blank', rel: 'noopener noreferrer nofollow' },
      }),
      img: (tagName, attribs) => {
        const next = withCleanStyle(attribs);
        const src = (next.src ?? '').trim();
        delete next.src;
        if (/^cid:/i.test(src)) {
          const url = options.cidUrl(safeDecode(src.slice(4)).replace(/^<|>$/g, ''));
          if (url) next.src = url;
        } else if (isRemote(src)) {
          if (options.allowRemote) next.src = src;
          else {
            blockedRemote++;
            next.alt = next.alt || '[image]';
          }
        }
        return { tagName, attribs: next };
      },
    },
  });
  return { html: html2, blockedRemote };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Plain text as HTML for the reading view when there is no HTML part: escaped, links made clickable. */
export function textToHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const linked = escaped.replace(/\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g, (url) => `<a href="${url}" target="_blank" rel="noopener noreferrer nofollow">${url}</a>`);
  return `<div style="white-space: pre-wrap; font-family: inherit">${linked}</div>`;
}

// BODY and BODYSTRUCTURE (RFC 3501 7.4.2, 9 body) from the MIME tree stored
// at delivery: no parsing of the message again, except the header of an
// encapsulated message/rfc822 for its ENVELOPE.
import type { MimeNode } from '../../store/mime-structure.ts';
import { headerBytes } from '../../store/mime-structure.ts';
import { str, type ResponseValue } from '../parser/response.ts';
import { envelope } from './envelope.ts';

function paramList(params: Record<string, string>): ResponseValue {
  const entries = Object.entries(params);
  return entries.length === 0 ? null : entries.flatMap(([name, value]) => [str(name.toUpperCase()), str(value)]);
}

function disposition(node: MimeNode): ResponseValue {
  return node.disposition ? [str(node.disposition.type.toUpperCase()), paramList(node.disposition.params)] : null;
}

function language(node: MimeNode): ResponseValue {
  if (!node.language || node.language.length === 0) return null;
  return node.language.length === 1 ? str(node.language[0]) : node.language.map((l) => str(l));
}

function isMessage(node: MimeNode): boolean {
  return (node.contentType === 'message/rfc822' || node.contentType === 'message/global') && node.children?.length === 1;
}

/** The structure of a part; `extended` adds the extension data of BODYSTRUCTURE. */
export function bodyStructure(raw: Buffer, node: MimeNode, extended: boolean): ResponseValue[] {
  const [type, subtype = ''] = node.contentType.split('/');
  if (type === 'multipart') {
    const out: ResponseValue[] = [...(node.children ?? []).map((child) => bodyStructure(raw, child, extended)), str(subtype.toUpperCase())];
    if (extended) out.push(paramList(node.params), disposition(node), language(node), str(node.location));
    return out;
  }
  let params = node.params;
  // RFC 2045 5.2: a text part without a charset is US-ASCII.
  if (type === 'text' && !params.charset) params = { charset: 'us-ascii', ...params };
  const out: ResponseValue[] = [
    str(type.toUpperCase()),
    str(subtype.toUpperCase()),
    paramList(params),
    str(node.id),
    str(node.description),
    str((node.encoding || '7bit').toUpperCase()),
    node.size,
  ];
  if (isMessage(node)) {
    const inner = node.children![0];
    out.push(envelope(headerBytes(raw, inner)), bodyStructure(raw, inner, extended), node.lines);
  } else if (type === 'text') {
    out.push(node.lines);
  }
  if (extended) out.push(str(node.md5), disposition(node), language(node), str(node.location));
  return out;
}

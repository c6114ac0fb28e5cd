// STS Query-protocol XML responses (namespace https://sts.amazonaws.com/doc/2011-06-15/).

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** [element name, text | children]; elements whose content is undefined are omitted. */
export type XmlNode = [name: string, content: string | number | undefined | XmlNode[]];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function render(nodes: XmlNode[], depth: number): string {
  const pad = '  '.repeat(depth);
  return nodes
    .filter(([, content]) => content !== undefined)
    .map(([name, content]) =>
      Array.isArray(content)
        ? `${pad}<${name}>\n${render(content, depth + 1)}${pad}</${name}>\n`
        : `${pad}<${name}>${escapeXml(String(content))}</${name}>\n`,
    )
    .join('');
}

export function successXml(action: string, result: XmlNode[], requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    render([[`${action}Result`, result]], 1) +
    render([['ResponseMetadata', [['RequestId', requestId]]]], 1) +
    `</${action}Response>\n`
  );
}

export function errorXml(status: number, code: string, message: string, requestId: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    render(
      [
        [
          'Error',
          [
            ['Type', type],
            ['Code', code],
            ['Message', message],
          ],
        ],
        ['RequestId', requestId],
      ],
      1,
    ) +
    '</ErrorResponse>\n'
  );
}

/** STS timestamps: ISO-8601 UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

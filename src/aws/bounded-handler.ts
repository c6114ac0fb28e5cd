/**
 * The STS client's HTTP handler: the SDK's NodeHttpHandler, with the answer capped at
 * MAX_ANSWER_BYTES and an error answer that is not STS's XML (a proxy's or load balancer's HTML
 * page) turned into an error that names its HTTP status, instead of the SDK's "Unknown: Unknown".
 */
import { Readable, Transform } from 'node:stream';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

/** An answer STS would never give: too large, or an error page that is not its XML. */
export class StsAnswerError extends Error {
  readonly code: string;
  readonly $metadata: { httpStatusCode: number };

  constructor(code: 'ResponseTooLarge' | 'NonXmlAnswer', message: string, status: number) {
    super(message);
    this.name = code;
    this.code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

type Request = Parameters<NodeHttpHandler['handle']>[0];
type Options = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;
type HttpResponse = Awaited<ReturnType<NodeHttpHandler['handle']>>['response'];

export class BoundedHttpHandler extends NodeHttpHandler {
  constructor(
    options: NodeHttpHandlerOptions,
    /** The most read of one answer. */
    private readonly maxBytes: number,
  ) {
    super(options);
  }

  override async handle(request: Request, options: Options = {}): Promise<{ response: HttpResponse }> {
    const { response } = await super.handle(request, options);
    const status = response.statusCode;
    const declared = Number(header(response, 'content-length') ?? 0);
    const body = response.body as Readable;
    if (declared > this.maxBytes) {
      body.destroy();
      throw tooLarge(status, this.maxBytes);
    }
    const capped = body.pipe(byteCap(status, this.maxBytes));
    body.on('error', (error) => capped.destroy(error));
    // The deadline cuts the body too, not only the wait for headers.
    const signal = options.abortSignal as AbortSignal | undefined;
    signal?.addEventListener(
      'abort',
      () => body.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted')),
      { once: true },
    );
    if (status < 300) {
      response.body = capped;
      return { response };
    }
    // An error answer: read it (capped) to see whether it is STS's XML.
    const text = await readAll(capped);
    if (!/<(?:\w+:)?ErrorResponse[\s>]|<Error>/.test(text)) {
      const type = header(response, 'content-type') ?? 'no content type';
      throw new StsAnswerError(
        'NonXmlAnswer',
        `STS answered HTTP ${status} (${type.split(';')[0]?.slice(0, 60)}), not an STS error document: a proxy, load balancer or wrong sts-endpoint answered`,
        status,
      );
    }
    response.body = Readable.from([Buffer.from(text)]);
    return { response };
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const found = Object.entries(response.headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

function tooLarge(status: number, maxBytes: number): StsAnswerError {
  return new StsAnswerError(
    'ResponseTooLarge',
    `STS's answer (HTTP ${status}) is over ${maxBytes / 1024 / 1024} MB; STS never sends that much: check sts-endpoint and the proxy`,
    status,
  );
}

function byteCap(status: number, maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(status, maxBytes));
      else done(null, chunk);
    },
  });
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

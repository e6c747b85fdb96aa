import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A cookie-keeping client for `app.inject`: it follows the service the way a browser would, reading
 * each form's CSRF token from the page, so tests exercise the real protections.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies) }));
  }

  /** Posts a form as the page at `formPage` would, with its CSRF token unless `csrf: false`. */
  async submit(formPage: string, action: string, fields: Record<string, string>, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const page = await this.get(formPage);
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1];
    if (options.csrf !== false && !token) throw new Error(`${formPage} has no CSRF token`);
    const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: token ?? '' }), ...fields }).toString();
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url: action,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        cookies: Object.fromEntries(this.cookies),
      }),
    );
  }

  /** Posts a multipart form with files as the page at `formPage` would, with its CSRF token. */
  async upload(formPage: string, action: string, fields: Record<string, string>, files: UploadPart[]): Promise<LightMyRequestResponse> {
    const page = await this.get(formPage);
    const token = /name="_csrf" value="([^"]*)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`${formPage} has no CSRF token`);
    const { payload, contentType } = multipartBody({ _csrf: token, ...fields }, files);
    return this.keep(await this.app.inject({ method: 'POST', url: action, payload, headers: { 'content-type': contentType }, cookies: Object.fromEntries(this.cookies) }));
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}

export interface UploadPart {
  field: string;
  fileName: string;
  content: string | Buffer;
}

/** A multipart/form-data body: the fields first (so the CSRF token precedes the files), then the files. */
export function multipartBody(fields: Record<string, string>, files: readonly UploadPart[]): { payload: Buffer; contentType: string } {
  const boundary = '----ntgtestboundary7d3f';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\nContent-Type: text/csv\r\n\r\n`));
    parts.push(typeof file.content === 'string' ? Buffer.from(file.content) : file.content);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

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

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}

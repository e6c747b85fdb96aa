/**
 * For tests of the practice pages: a signed-in agent per person, posting forms with repeated
 * fields (checkboxes) as a browser does, and reading a form's fields back out of a page, so a test
 * can send a form exactly as it was shown.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sessionCookieName } from '../../src/auth/gate.js';
import { Agent } from './agent.js';
import type { PracticePeople } from './practice.js';

export type FormFields = [name: string, value: string][];

/** An agent signed in as one of the practice people. */
export function agentOf(app: FastifyInstance, people: PracticePeople, who: string): Agent {
  const agent = new Agent(app);
  agent.cookies.set(sessionCookieName(false), people.tokens.get(who)!);
  return agent;
}

export function csrfTokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
  if (token === undefined) throw new Error('the page has no CSRF token');
  return token;
}

/** Posts a urlencoded form with repeated fields, with the CSRF token of `formPage` unless `csrf` is false. */
export async function postForm(agent: Agent, app: FastifyInstance, formPage: string, action: string, fields: FormFields, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
  const page = await agent.get(formPage);
  const body = new URLSearchParams(options.csrf === false ? fields : [['_csrf', csrfTokenIn(page.body)], ...fields]).toString();
  const response = await app.inject({ method: 'POST', url: action, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: Object.fromEntries(agent.cookies) });
  for (const cookie of response.cookies) agent.cookies.set(cookie.name, cookie.value);
  return response;
}

function decode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_match, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_match, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) attributes.set(match[1]!.toLowerCase(), decode(match[2] ?? match[3] ?? match[4] ?? ''));
  return attributes;
}

/**
 * The fields the form posting to `action` would send as shown (checked boxes and radios, chosen
 * options, text as filled in), without its buttons and CSRF token.
 */
export function formFieldsOf(html: string, action: string): FormFields {
  const start = html.indexOf(`action="${action}"`);
  if (start === -1) throw new Error(`no form posts to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: FormFields = [];
  for (const match of form.matchAll(/<input\b[^>]*>|<textarea\b[^>]*>([\s\S]*?)<\/textarea>|<select\b[^>]*>([\s\S]*?)<\/select>/g)) {
    const tag = match[0];
    if (tag.startsWith('<input')) {
      const attributes = attributesOf(tag.slice(6, -1));
      const name = attributes.get('name');
      const type = attributes.get('type') ?? 'text';
      if (name === undefined || name === '_csrf' || type === 'submit' || type === 'file') continue;
      if ((type === 'checkbox' || type === 'radio') && !attributes.has('checked')) continue;
      fields.push([name, attributes.get('value') ?? (type === 'checkbox' ? 'on' : '')]);
    } else if (tag.startsWith('<textarea')) {
      const name = attributesOf(tag.slice(9, tag.indexOf('>'))).get('name');
      // HTML drops one newline straight after <textarea>.
      if (name !== undefined) fields.push([name, decode(match[1]!.replace(/^\r?\n/, ''))]);
    } else {
      const name = attributesOf(tag.slice(7, tag.indexOf('>'))).get('name');
      const options = [...match[2]!.matchAll(/<option\b([^>]*)>/g)].map((option) => attributesOf(option[1]!));
      const chosen = options.find((option) => option.has('selected')) ?? options[0];
      if (name !== undefined && chosen !== undefined) fields.push([name, chosen.get('value') ?? '']);
    }
  }
  return fields;
}

/** The links of the page's error summary, and whether each one's target is on the page. */
export function errorSummaryLinks(html: string): { href: string; text: string; targetExists: boolean }[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="#([^"]+)">([\s\S]*?)<\/a>/g)].map((match) => ({
    href: `#${match[1]!}`,
    text: decode(match[2]!.trim()),
    targetExists: new RegExp(`\\sid="${match[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).test(html),
  }));
}

/**
 * Managing an authority's directory (staff with `directory:write`): list, add, edit and withdraw
 * services, upload an Open Referral UK or CSV file, download the export and the CSV template.
 * Another authority's service answers 404. Every form posts with its CSRF token and redirects.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { appendAudit } from '../auth/audit.js';
import type { Viewer } from '../auth/gate.js';
import type { Schema } from '../db/schema.js';
import { findItems, loadCatalogue } from '../framework/catalogue.js';
import type { UploadedFile } from '../web/app.js';
import { readPage } from '../web/pagination.js';
import { queryText } from '../web/query.js';
import { coreOfferStrands } from './core-offer.js';
import { csvTemplate, servicesToCsv } from './csv.js';
import { managedAuthority } from './editors.js';
import { importDirectoryFile } from './imports.js';
import type { DirectoryFormat } from './imports.js';
import { exportOpenReferral, storeServices } from './open-referral.js';
import { recordProblems } from './open-referral-validate.js';
import { recordFromInput } from './record-input.js';
import type { ServiceInput } from './record-input.js';
import { searchServices } from './search.js';
import { serviceStatuses } from './service-record.js';
import type { OrukService } from './service-record.js';
import { serviceView } from './service-view.js';
import { readService } from './store.js';
import type { ServiceStatus } from './tables.js';
import { referralRoutes, taxonomyNamed, tiersOfNeed } from './taxonomies.js';

const hidden = { hide: true } as const;
const mayWrite = { permission: 'directory:write' } as const;
const locationSlots = 3;
type SignedIn = Extract<Viewer, { signedIn: true }>;
type Body = Record<string, string | string[] | UploadedFile | undefined>;

const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().filter((entry): entry is string => typeof entry === 'string' && entry !== ''));
const text = (value: unknown): string => queryText(value) ?? '';

let statementTerms: { id: string; label: string }[] | undefined;
/** The statements a service is tagged with on the form: templates two and five, front-line delivery (where services live). */
function formStatements() {
  statementTerms ??= findItems(loadCatalogue(), { kind: 'matrix-statement' })
    .filter((statement) => (statement.template === 2 || statement.template === 5) && statement.layer === 'frontline')
    .map((statement) => ({ id: statement.id, label: `Template ${statement.template}, ${statement.tier}: ${statement.text}` }));
  return statementTerms;
}

interface FormError {
  text: string;
  href: string;
}

function inputFrom(body: Body, id?: string): { input: ServiceInput; errors: FormError[] } {
  const errors: FormError[] = [];
  const age = (field: 'minimumAge' | 'maximumAge', label: string) => {
    const value = text(body[field]).trim();
    if (value === '') return null;
    if (!/^\d{1,3}$/.test(value) || Number(value) > 120) {
      errors.push({ text: `Enter the ${label} in whole years, from 0 to 120`, href: `#${field}` });
      return null;
    }
    return Number(value);
  };
  const status = text(body.status) || 'active';
  if (!serviceStatuses.includes(status as ServiceStatus)) errors.push({ text: 'Choose whether the service is running', href: '#status' });
  const tier = text(body.tier);
  return {
    errors,
    input: {
      ...(id === undefined ? {} : { id }),
      name: text(body.name),
      description: text(body.description),
      status: status as ServiceStatus,
      organisationName: text(body.organisation),
      strands: list(body.strands),
      groups: list(body.groups),
      tier: tier === '' ? null : tier,
      statements: list(body.statements),
      referralRoutes: list(body.referralRoutes),
      minimumAge: age('minimumAge', 'youngest age'),
      maximumAge: age('maximumAge', 'oldest age'),
      cost: text(body.cost),
      openingTimes: text(body.openingTimes),
      phone: text(body.phone),
      email: text(body.email),
      website: text(body.website),
      authorityWide: text(body.authorityWide) === 'yes',
      locations: Array.from({ length: locationSlots }, (_, index) => ({
        ...(text(body[`location${index}Id`]) === '' ? {} : { id: text(body[`location${index}Id`]) }),
        name: text(body[`location${index}Name`]),
        address: text(body[`location${index}Address`]),
        postcode: text(body[`location${index}Postcode`]),
      })),
    },
  };
}

/** Where on the form a record's problem belongs. */
function fieldOf(path: string): string {
  const location = /^service_at_locations\[(\d+)\]/.exec(path);
  if (location !== null) return `location${location[1]}Postcode`;
  const fields: Record<string, string> = { name: 'name', minimum_age: 'minimumAge', maximum_age: 'maximumAge', url: 'website', email: 'email', status: 'status', 'organization.name': 'organisation' };
  return fields[path] ?? 'name';
}

const plainMessage = (path: string, message: string) => {
  const names: Record<string, string> = { name: 'Enter the service’s name', url: 'Enter a web address starting http:// or https://', email: 'Enter an email address, like name@example.org' };
  if (path === 'name' || path === 'url' || path === 'email') return names[path]!;
  if (path.endsWith('postal_code')) return `Enter a real postcode for the location: ${message}`;
  if (path === 'maximum_age') return `The oldest age ${message}`;
  return message.charAt(0).toUpperCase() + message.slice(1);
};

export function registerManageDirectoryRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  const authorityOf = (request: FastifyRequest) => managedAuthority(request.viewer)!;
  const audit = (request: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}) => {
    const viewer = request.viewer as SignedIn;
    return appendAudit(db, { action, outcome: 'success', target, laCode: authorityOf(request), actorUserId: viewer.userId, actorEmail: viewer.email, ip: request.ip, details });
  };
  const byLabel = (request: FastifyRequest) => {
    const viewer = request.viewer as SignedIn;
    return viewer.displayName || viewer.email;
  };

  async function managePage(request: FastifyRequest<{ Querystring: { done?: string; page?: string } }>, reply: FastifyReply, upload: { errors: string[]; fileName?: string } | null = null) {
    const laCode = managedAuthority(request.viewer);
    if (laCode === undefined) return reply.code(403).view('error.njk', { pageTitle: 'You cannot manage a directory', title: 'You cannot manage a directory', message: 'Your role lets you edit a directory only for a whole local authority. Ask your authority’s administrator.' });
    // A page past the last (or not a number) shows the first: this is a manager's own list, not an API.
    const page = readPage(queryText(request.query.page)) ?? 1;
    const found = await searchServices(db, { laCode, includeInactive: true }, { page, perPage: 50 });
    const notices: Record<string, string> = { added: 'The service is added.', saved: 'The service is saved.', withdrawn: 'The service is withdrawn: it no longer shows in the directory.', imported: 'The file is loaded.' };
    return reply.code(upload !== null && upload.errors.length > 0 ? 400 : 200).view('directory/manage.njk', {
      pageTitle: 'Manage the directory',
      laCode,
      authorityName: localAuthorityByGss(laCode)?.name ?? laCode,
      services: found.hits.map((hit) => serviceView(hit.record, hit.laCode)),
      total: found.total,
      page,
      pages: Math.ceil(found.total / 50),
      notice: request.query.done === undefined ? undefined : notices[request.query.done],
      upload,
      errors: upload === null ? [] : upload.errors.map((message) => ({ text: message, href: '#file' })),
      errorSummaryShown: upload !== null && upload.errors.length > 0,
    });
  }

  app.get<{ Querystring: { done?: string; page?: string } }>('/directory/manage', { schema: hidden, config: mayWrite }, managePage);

  function serviceForm(reply: FastifyReply, context: { action: string; title: string; values: Body; errors: FormError[]; existing?: OrukService }) {
    const { values, errors } = context;
    const chosen = (name: string) => list(values[name]);
    return reply.code(errors.length > 0 ? 400 : 200).view('directory/service-form.njk', {
      pageTitle: context.title,
      breadcrumbs: [{ text: 'Manage the directory', href: '/directory/manage' }],
      title: context.title,
      action: context.action,
      values,
      errors,
      errorSummaryShown: errors.length > 0,
      errorFor: Object.fromEntries(errors.map((error) => [error.href.slice(1), { text: error.text }])),
      strandItems: coreOfferStrands.map((strand) => ({ value: strand.id, text: strand.label, hint: { text: strand.description }, checked: chosen('strands').includes(strand.id) })),
      groupItems: taxonomyNamed('ntg-framework-groups').terms.map((term) => ({ value: term.code, text: term.name, checked: chosen('groups').includes(term.code) })),
      tierItems: [{ value: '', text: 'Not said', checked: text(values.tier) === '' }, ...tiersOfNeed.map((tier) => ({ value: tier.id, text: tier.label, checked: text(values.tier) === tier.id }))],
      routeItems: referralRoutes.map((route) => ({ value: route.id, text: route.label, checked: chosen('referralRoutes').includes(route.id) })),
      statementItems: formStatements().map((statement) => ({ value: statement.id, text: statement.label, checked: chosen('statements').includes(statement.id) })),
      otherStatements: chosen('statements').filter((id) => !formStatements().some((statement) => statement.id === id)),
      statusItems: [
        { value: 'active', text: 'Running', checked: text(values.status || 'active') === 'active' },
        { value: 'temporarily closed', text: 'Closed for now', checked: text(values.status) === 'temporarily closed' },
      ],
      locationSlots: Array.from({ length: locationSlots }, (_, index) => index),
    });
  }

  /** The form's values for a stored service. */
  function valuesOf(record: OrukService, laCode: string): Body {
    const view = serviceView(record, laCode);
    const values: Body = {
      name: view.name,
      organisation: view.organisation ?? '',
      description: view.description,
      status: view.status,
      strands: view.strands.map((strand) => strand.id),
      groups: view.groups.map((group) => group.id),
      tier: view.tier?.id ?? '',
      statements: view.statements.map((statement) => statement.id),
      referralRoutes: view.referralRoutes.map((route) => route.id),
      minimumAge: view.minimumAge === null ? '' : String(view.minimumAge),
      maximumAge: view.maximumAge === null ? '' : String(view.maximumAge),
      cost: view.cost,
      openingTimes: view.openingTimes,
      phone: view.phone,
      email: view.email ?? '',
      website: view.website ?? '',
      authorityWide: view.authorityWide && view.locations.some((location) => location.postcode !== null) ? 'yes' : '',
    };
    view.locations.slice(0, locationSlots).forEach((location, index) => {
      values[`location${index}Id`] = location.id;
      values[`location${index}Name`] = location.name;
      values[`location${index}Address`] = location.address;
      values[`location${index}Postcode`] = location.postcode ?? '';
    });
    return values;
  }

  async function save(request: FastifyRequest<{ Body: Body | undefined }>, reply: FastifyReply, existing: OrukService | undefined) {
    const laCode = authorityOf(request);
    const body = request.body ?? {};
    const { input, errors } = inputFrom(body, existing === undefined ? undefined : String(existing.id));
    const record = recordFromInput(input, laCode, existing ?? {});
    const problems = errors.length > 0 ? [] : recordProblems(record, 0);
    const all = [...errors, ...problems.map((problem) => ({ text: plainMessage(problem.path, problem.message), href: `#${fieldOf(problem.path)}` }))];
    const title = existing === undefined ? 'Add a service' : `Change ${String(existing.name)}`;
    const action = existing === undefined ? '/directory/manage/new' : `/directory/manage/services/${String(existing.id)}`;
    if (all.length > 0) return serviceForm(reply, { action, title, values: body, errors: all });
    await storeServices(db, laCode, [record], byLabel(request));
    await audit(request, existing === undefined ? 'directory-service.add' : 'directory-service.change', String(record.id), { name: record.name });
    return reply.redirect(`/directory/manage?done=${existing === undefined ? 'added' : 'saved'}`, 303);
  }

  app.get('/directory/manage/new', { schema: hidden, config: mayWrite }, async (_request, reply) => serviceForm(reply, { action: '/directory/manage/new', title: 'Add a service', values: { status: 'active' }, errors: [] }));
  app.post<{ Body: Body | undefined }>('/directory/manage/new', { schema: hidden, config: mayWrite }, async (request, reply) => save(request, reply, undefined));

  const owned = async (request: FastifyRequest<{ Params: { id: string } }>) => readService(db, request.params.id, authorityOf(request));

  app.get<{ Params: { id: string } }>('/directory/manage/services/:id', { schema: hidden, config: mayWrite }, async (request, reply) => {
    const stored = await owned(request);
    if (stored === undefined) return reply.callNotFound();
    return serviceForm(reply, { action: `/directory/manage/services/${stored.facts.id}`, title: `Change ${stored.facts.name}`, values: valuesOf(stored.record, stored.laCode), errors: [], existing: stored.record });
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/directory/manage/services/:id', { schema: hidden, config: mayWrite }, async (request, reply) => {
    const stored = await owned(request);
    if (stored === undefined) return reply.callNotFound();
    return save(request, reply, stored.record);
  });

  app.post<{ Params: { id: string } }>('/directory/manage/services/:id/withdraw', { schema: hidden, config: mayWrite }, async (request, reply) => {
    const stored = await owned(request);
    if (stored === undefined) return reply.callNotFound();
    const record = { ...stored.record, status: 'inactive', last_modified: new Date().toISOString() };
    await storeServices(db, stored.laCode, [record], byLabel(request));
    await audit(request, 'directory-service.withdraw', stored.facts.id, { name: stored.facts.name });
    return reply.redirect('/directory/manage?done=withdrawn', 303);
  });

  app.post<{ Body: Body | undefined; Querystring: { done?: string; page?: string } }>('/directory/manage/upload', { schema: hidden, config: mayWrite }, async (request, reply) => {
    const body = request.body ?? {};
    const file = body.file as UploadedFile | undefined;
    const format = text(body.format) as DirectoryFormat;
    if (file === undefined || typeof file !== 'object' || file.size === 0) return managePage(request, reply, { errors: ['Choose a file to upload'] });
    if (format !== 'openreferral' && format !== 'csv') return managePage(request, reply, { errors: ['Choose whether the file is Open Referral UK JSON or the CSV template'], fileName: file.filename });
    const result = await importDirectoryFile(db, authorityOf(request), await readFile(file.path, 'utf8'), format, byLabel(request));
    if (!result.ok) return managePage(request, reply, { errors: result.problems.map((problem) => `${file.filename}: ${problem}`), fileName: file.filename });
    await audit(request, 'directory.import', file.filename, { format, added: result.added, replaced: result.replaced });
    return reply.redirect('/directory/manage?done=imported', 303);
  });

  app.get<{ Querystring: { format?: string } }>('/directory/manage/export', { schema: hidden, config: mayWrite }, async (request, reply) => {
    const laCode = authorityOf(request);
    const records = await exportOpenReferral(db, laCode);
    if (request.query.format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="directory-${laCode}.csv"`).send(servicesToCsv(records, laCode));
    }
    return reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="directory-${laCode}.json"`).send(JSON.stringify(records, null, 2));
  });

  app.get('/directory/manage/template.csv', { schema: hidden, config: mayWrite }, async (_request, reply) =>
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="directory-template.csv"').send(csvTemplate()),
  );
}

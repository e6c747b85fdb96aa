/**
 * The rules of self-assessment that pages, the API and the command line share: who may start,
 * read and rate which assessment, what a rating must hold, evidence files, and the audit trail of
 * every change and download.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../auth/gate.js';
import { appendAudit } from '../auth/audit.js';
import { scopeOf } from '../auth/permissions.js';
import type { OrganisationSummary } from '../auth/organisations.js';
import { organisationById, organisationsOfAuthorities } from '../auth/organisations.js';
import { localAuthoritiesIn, regionOf } from '../areas/areas.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { statementsAt } from '../framework/revisions.js';
import { mayReadAssessment, mayWriteAssessment } from './access.js';
import { isBlindModerator } from './moderation.js';
import { readFile } from 'node:fs/promises';
import { evidenceTypeOf, readEvidenceFile, removeEvidenceFile, storeEvidenceFile } from './evidence-files.js';
import type { FieldError } from './rating-input.js';
import { parseRating, parseRatingVersion } from './rating-input.js';
import { isAssessmentScope, isPeriod, scopeDescriptions, statementsInScope } from './scope.js';
import type { Assessment, AssessmentFilter, AssessmentSummary, Author, Rating, SignedOffHead } from './store.js';
import { AssessmentLockedError, DuplicateAssessmentError, RatingConflictError, createAssessment, isUuid, listAssessments, readAssessmentAs, readAssessmentOwner, readAssessmentSummary, readStatementOwner, saveRating, signedOffHeads } from './store.js';

/** Why an assessment cannot be shown or changed, in words a person reads. */
export interface Refusal {
  statusCode: 403 | 404 | 409 | 413 | 415 | 422;
  message: string;
  errors?: FieldError[];
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'statusCode' in value && 'message' in value && !('id' in value);
}

export type RateOutcome =
  | { outcome: 'saved'; rating: Rating }
  | { outcome: 'conflict'; yours: Record<string, unknown>; current: Rating }
  | { outcome: 'refused'; refusal: Refusal };

/** A form or JSON field as trimmed text ('' when absent or not text). */
function fieldText(value: unknown): string {
  if (Array.isArray(value)) return fieldText(value[0]);
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

export function authorOf(viewer: Viewer): Author {
  if (!viewer.signedIn) throw new Error('Only someone signed in changes an assessment');
  return { userId: viewer.userId, label: viewer.displayName || viewer.email };
}

const notFound: Refusal = { statusCode: 404, message: 'There is no assessment at this address, or it is not one you may see.' };

/** A moderator who has not yet submitted their ratings is kept from the self-ratings on every route (see moderation.ts). */
const blindRefusal: Refusal = { statusCode: 403, message: 'You are moderating this assessment: its self-ratings stay hidden from you until you submit your own ratings.' };

/** The authorities a viewer's `assessments:read` grants reach, or 'england'. */
function readableAuthorities(viewer: Viewer): 'england' | string[] {
  if (!viewer.signedIn) return [];
  const codes = new Set<string>();
  for (const membership of viewer.memberships) {
    const scope = scopeOf(membership.role, 'assessments:read');
    if (scope === 'england') return 'england';
    if (scope === 'region') {
      const region = membership.areaCode ?? (membership.laCode === null ? undefined : regionOf(membership.laCode)?.code);
      if (region !== undefined) for (const la of localAuthoritiesIn(region)) codes.add(la.gss);
    }
    if ((scope === 'authority' || scope === 'organisation') && membership.laCode !== null) codes.add(membership.laCode);
  }
  return [...codes];
}

export class AssessmentService {
  constructor(
    readonly db: Kysely<Schema>,
    readonly catalogue: Catalogue,
    readonly options: { evidenceLimitBytes: number },
  ) {}

  /** The organisations the viewer may start an assessment for: their own, and for authority-wide grants the authority's settings and partners. */
  async organisationsToAssess(viewer: Viewer): Promise<OrganisationSummary[]> {
    if (!viewer.signedIn) return [];
    const authorityWide = viewer.memberships.filter((membership) => scopeOf(membership.role, 'assessments:write') === 'authority' && membership.laCode !== null).map((membership) => membership.laCode!);
    const inAuthorities = await organisationsOfAuthorities(this.db, [...new Set(authorityWide)]);
    const own = await Promise.all(
      viewer.memberships.filter((membership) => scopeOf(membership.role, 'assessments:write') === 'organisation').map((membership) => organisationById(this.db, membership.organisationId)),
    );
    const all = [...inAuthorities, ...own.filter((organisation): organisation is OrganisationSummary => organisation !== undefined)];
    const unique = [...new Map(all.map((organisation) => [organisation.id, organisation])).values()];
    return unique.filter((organisation) => organisation.laCode !== null && mayWriteAssessment(viewer, { organisationId: organisation.id, laCode: organisation.laCode }));
  }

  /** Assessments the viewer may read, filtered. */
  async list(viewer: Viewer, filter: Omit<AssessmentFilter, 'laCodes'> = {}): Promise<AssessmentSummary[]> {
    const reach = readableAuthorities(viewer);
    const found = await listAssessments(this.db, reach === 'england' ? filter : { ...filter, laCodes: reach });
    return found.filter((assessment) => mayReadAssessment(viewer, assessment));
  }

  /** An organisation's signed-off assessments the viewer may read, newest first, each saying whether the viewer moderates it blind; nothing counted. */
  async signedOffOf(viewer: Viewer, organisationId: string): Promise<SignedOffHead[]> {
    const found = await signedOffHeads(this.db, organisationId, viewer.signedIn ? viewer.userId : null);
    return found.filter((assessment) => mayReadAssessment(viewer, assessment));
  }

  /** An assessment the viewer may read, with its statements and ratings; another authority's is "not found". */
  async get(viewer: Viewer, id: string): Promise<Assessment | Refusal> {
    const found = await readAssessmentAs(this.db, id, viewer.signedIn ? viewer.userId : null);
    if (found === undefined || !mayReadAssessment(viewer, found.assessment)) return notFound;
    if (found.readerModeratesBlind) return blindRefusal;
    return found.assessment;
  }

  /** The summary of an assessment the viewer may read. */
  async summary(viewer: Viewer, id: string): Promise<AssessmentSummary | Refusal> {
    const assessment = await readAssessmentSummary(this.db, id);
    if (assessment === undefined || !mayReadAssessment(viewer, assessment)) return notFound;
    if (await isBlindModerator(this.db, viewer, assessment.laCode, id)) return blindRefusal;
    return assessment;
  }

  /** Starts an assessment from a form or JSON body (`organisation_id`, `scope`, `period`). */
  async start(viewer: Viewer, body: Record<string, unknown>, ip: string): Promise<{ id: string } | Refusal> {
    const errors: FieldError[] = [];
    const organisationId = fieldText(body.organisation_id);
    const scope = fieldText(body.scope);
    const period = fieldText(body.period);
    const organisation = isUuid(organisationId) ? await organisationById(this.db, organisationId) : undefined;
    const owner = organisation?.laCode ? { organisationId: organisation.id, laCode: organisation.laCode } : undefined;
    if (owner === undefined || !mayWriteAssessment(viewer, owner)) errors.push({ field: 'organisation_id', text: organisationId === '' ? 'Choose the organisation the assessment is for' : 'Choose an organisation you may assess for; this one is not yours to assess' });
    if (!isAssessmentScope(scope)) errors.push({ field: 'scope', text: `Choose what to assess: ${scopeDescriptions.map((description) => description.scope).join(', ')}` });
    if (!isPeriod(period)) errors.push({ field: 'period', text: `The period must be a year written like 2025/26${period === '' ? '' : `; “${period.slice(0, 20)}” is not`}` });
    if (errors.length > 0 || owner === undefined || !isAssessmentScope(scope)) return { statusCode: 422, message: 'The assessment could not be started', errors };
    const { revision, statements } = await statementsAt(this.db, this.catalogue);
    try {
      const id = await createAssessment(
        this.db,
        { laCode: owner.laCode, organisationId: owner.organisationId, scope, period, catalogueVersion: this.catalogue.version, catalogueRevision: revision, statements: statementsInScope(statements, scope) },
        authorOf(viewer),
      );
      await this.audit(viewer, 'assessment-started', owner, id, ip, { scope, period, catalogue_revision: revision });
      return { id };
    } catch (error) {
      if (error instanceof DuplicateAssessmentError) {
        return { statusCode: 409, message: `${organisation!.name} already has an assessment of this scope for ${period}`, errors: [{ field: 'period', text: `${organisation!.name} already has this assessment for ${period}; open it from the list` }] };
      }
      throw error;
    }
  }

  /**
   * Saves one statement's rating from a form or JSON body. Refuses, naming the field, a rating off
   * the scale, a statement not in the assessment, a missing version, or any change to an
   * assessment that is submitted or signed off; a stale version answers with both versions.
   */
  async rate(viewer: Viewer, id: string, statementId: string, body: Record<string, unknown>, ip: string): Promise<RateOutcome> {
    const summary = await readStatementOwner(this.db, id, statementId);
    if (summary === undefined || !mayReadAssessment(viewer, summary)) return { outcome: 'refused', refusal: notFound };
    if (!mayWriteAssessment(viewer, summary)) return { outcome: 'refused', refusal: { statusCode: 403, message: 'You may read this assessment but not rate it.' } };
    if (!summary.ratesStatement) {
      return { outcome: 'refused', refusal: { statusCode: 422, message: 'The rating could not be saved', errors: [{ field: 'statement_id', text: `Statement ${statementId.slice(0, 60)} is not in this assessment’s scope` }] } };
    }
    const version = parseRatingVersion(body);
    const fields = parseRating(body);
    const errors = [...(version.ok ? [] : version.errors), ...(fields.ok ? [] : fields.errors)];
    if (!version.ok || !fields.ok) return { outcome: 'refused', refusal: { statusCode: 422, message: 'The rating could not be saved', errors } };
    try {
      const rating = await saveRating(this.db, { laCode: summary.laCode, assessmentId: id, statementId, expectedVersion: version.value }, fields.value, authorOf(viewer));
      await this.audit(viewer, 'assessment-rated', summary, id, ip, { statement: statementId, level: rating.level, not_applicable: rating.notApplicable, version: rating.version });
      return { outcome: 'saved', rating };
    } catch (error) {
      if (error instanceof RatingConflictError) {
        await this.audit(viewer, 'assessment-rated', summary, id, ip, { statement: statementId, refused: 'stale version', version: version.value, current_version: error.current.version }, 'failure');
        return { outcome: 'conflict', yours: body, current: error.current };
      }
      if (error instanceof AssessmentLockedError) return { outcome: 'refused', refusal: { statusCode: 409, message: error.message } };
      throw error;
    }
  }

  /** Attaches an uploaded file to a statement, after checking its size and its type by content. */
  async attachEvidence(viewer: Viewer, id: string, statementId: string, upload: { filename: string; path: string; size: number }, ip: string): Promise<{ id: string } | Refusal> {
    const summary = await readStatementOwner(this.db, id, statementId);
    if (summary === undefined || !mayReadAssessment(viewer, summary)) return notFound;
    if (!mayWriteAssessment(viewer, summary)) return { statusCode: 403, message: 'You may read this assessment but not add evidence to it.' };
    if (!summary.ratesStatement) return { statusCode: 422, message: `Statement ${statementId.slice(0, 60)} is not in this assessment’s scope`, errors: [{ field: 'statement_id', text: `Statement ${statementId.slice(0, 60)} is not in this assessment’s scope` }] };
    const limitMb = Math.round(this.options.evidenceLimitBytes / 1_048_576);
    const refuse = async (refusal: Refusal): Promise<Refusal> => {
      await this.audit(viewer, 'assessment-evidence-added', summary, id, ip, { statement: statementId, file: upload.filename, refused: refusal.message }, 'failure');
      return refusal;
    };
    if (upload.size === 0) return refuse({ statusCode: 422, message: `${upload.filename} is empty`, errors: [{ field: 'evidence_file', text: `${upload.filename} is empty: choose the file again` }] });
    if (upload.size > this.options.evidenceLimitBytes) {
      return refuse({ statusCode: 413, message: `${upload.filename} is larger than the evidence limit of ${limitMb} MB`, errors: [{ field: 'evidence_file', text: `${upload.filename} is ${(upload.size / 1_048_576).toFixed(1)} MB; evidence files must be ${limitMb} MB or smaller` }] });
    }
    const content = await readFile(upload.path);
    const type = await evidenceTypeOf(upload.filename, content);
    if (!type.ok) return refuse({ statusCode: 415, message: type.message, errors: [{ field: 'evidence_file', text: type.message }] });
    try {
      const stored = await storeEvidenceFile(this.db, { laCode: summary.laCode, assessmentId: id, statementId }, { filename: upload.filename, mediaType: type.mediaType, content }, authorOf(viewer));
      await this.audit(viewer, 'assessment-evidence-added', summary, id, ip, { statement: statementId, file: upload.filename, file_id: stored.id, bytes: stored.sizeBytes, type: stored.mediaType });
      return { id: stored.id };
    } catch (error) {
      if (error instanceof AssessmentLockedError) return { statusCode: 409, message: error.message };
      throw error;
    }
  }

  /** An evidence file's bytes for someone who may read the assessment; the download is audited. */
  async evidenceDownload(viewer: Viewer, id: string, fileId: string, ip: string) {
    const summary = await readAssessmentOwner(this.db, id);
    if (summary === undefined || !mayReadAssessment(viewer, summary) || !isUuid(fileId)) return notFound;
    if (await isBlindModerator(this.db, viewer, summary.laCode, id)) return blindRefusal;
    const file = await readEvidenceFile(this.db, summary.laCode, id, fileId);
    if (file === undefined) return notFound;
    await this.audit(viewer, 'assessment-evidence-downloaded', summary, id, ip, { statement: file.statement_id, file: file.filename, file_id: file.id });
    return { filename: file.filename, mediaType: file.media_type, content: file.content, statementId: file.statement_id };
  }

  /** Removes an evidence file from an assessment still in progress. */
  async removeEvidence(viewer: Viewer, id: string, fileId: string, ip: string): Promise<{ statementId: string } | Refusal> {
    const summary = await readAssessmentOwner(this.db, id);
    if (summary === undefined || !mayReadAssessment(viewer, summary) || !isUuid(fileId)) return notFound;
    if (!mayWriteAssessment(viewer, summary)) return { statusCode: 403, message: 'You may read this assessment but not change its evidence.' };
    try {
      const removed = await removeEvidenceFile(this.db, summary.laCode, id, fileId);
      if (removed === undefined) return notFound;
      await this.audit(viewer, 'assessment-evidence-removed', summary, id, ip, { statement: removed.statementId, file: removed.filename, file_id: fileId });
      return { statementId: removed.statementId };
    } catch (error) {
      if (error instanceof AssessmentLockedError) return { statusCode: 409, message: error.message };
      throw error;
    }
  }

  /** Writes one audit entry about an assessment, under its authority. */
  async audit(viewer: Viewer, action: string, owner: { organisationId: string; laCode: string }, id: string, ip: string, details: Record<string, unknown>, outcome: 'success' | 'failure' | 'denied' = 'success'): Promise<void> {
    await appendAudit(this.db, {
      action,
      outcome,
      actorUserId: viewer.signedIn ? viewer.userId : null,
      actorEmail: viewer.signedIn ? viewer.email : null,
      organisationId: owner.organisationId,
      laCode: owner.laCode,
      target: `assessment:${id}`,
      ip,
      details,
    });
  }
}


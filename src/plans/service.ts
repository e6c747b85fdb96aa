/**
 * What people may do with improvement plans, and the checks every change passes: who may read or
 * write, what a form may say (forms.ts), whether an owner is a member or known partner, whether a
 * link names something that exists and the viewer may see. Pages, the API and the command line
 * all come through here, so they refuse the same things with the same words.
 */
import type { Kysely } from 'kysely';
import type { AssessmentService } from '../assessment/service.js';
import type { Viewer } from '../auth/gate.js';
import { viewerMay } from '../auth/gate.js';
import { grantReaches } from '../auth/grant-reach.js';
import type { OrganisationSummary } from '../auth/organisations.js';
import { organisationById, organisationsOfAuthorities } from '../auth/organisations.js';
import type { Action } from '../auth/permissions.js';
import { scopeOf } from '../auth/permissions.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { statementsAt } from '../framework/revisions.js';
import { parseGroup } from '../gaps/groups.js';
import { mayReadPlans } from '../gaps/reach.js';
import { parseAcademicYear } from '../ingest/child-standard.js';
import { isoDateIn } from '../web/format.js';
import { indicators as indicatorDefinitions } from '../aggregates/indicators.js';
import { itemHeads } from '../practice/digest.js';
import { seesSmallNumbers } from '../aggregates/disclosure-policy.js';
import { curvesFor } from '../gaps/service.js';
import { candidateItems } from '../practice/for-your-gaps.js';
import { listPlans, readPlan } from './curve/store.js';
import { readSuggestionEvidence } from './evidence.js';
import type { Body, FieldError } from './forms.js';
import { linkField, parseActionForm, parseMeasureForm, parsePlanForm, parsePriorityForm, parseVersion, text } from './forms.js';
import { figureOf, measureSeries } from './measures.js';
import type { Author, ImprovementPlan, ImprovementPlanSummary, PriorityLink } from './model.js';
import type { OwnedAction } from './store.js';
import {
  DuplicatePlanError,
  ImprovementConflictError,
  ImprovementNotFoundError,
  actionsOwnedBy,
  addAction,
  addMeasure,
  addPriority,
  createImprovementPlan,
  isUuid,
  listImprovementPlans,
  movePriority,
  removeMeasure,
  removePriority,
  savePlanFields,
  savePriority,
  updateAction,
} from './store.js';
import type { BoardPaper } from './board-paper-model.js';
import { buildBoardPaper } from './board-paper.js';
import type { DescribedLink } from './links.js';
import { describeLinks } from './links.js';
import type { MeasureReading } from './measures.js';
import { readMeasures } from './measures.js';
import { RecentPlanReads } from './recent-reads.js';
import type { Suggestion } from './suggest.js';
import { suggestPriorities } from './suggest.js';

/** Why something cannot be shown or changed, in words a person reads; `current` is the plan as it now stands after a stale save. */
export interface Refusal {
  statusCode: 403 | 404 | 409 | 422;
  message: string;
  errors?: FieldError[];
  current?: ImprovementPlan;
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'statusCode' in value && 'message' in value;
}

export interface PlanOwner {
  laCode: string;
  organisationId: string;
}

/** How many of the curves to turn, and of the practice items, a form offers: the most urgent, not every one. */
const gapChoiceCount = 25;
const practiceChoiceCount = 30;

const notFound: Refusal = { statusCode: 404, message: 'There is no improvement plan at this address, or it is not one you may see.' };
const readOnly: Refusal = { statusCode: 403, message: 'You may read this plan but not change it: plans are written by members of the organisation with the “write plans” permission.' };

function reaches(viewer: Viewer, action: Action, owner: PlanOwner): boolean {
  if (!viewer.signedIn || !viewerMay(viewer, action)) return false;
  return viewer.memberships.some((membership) => grantReaches(membership, scopeOf(membership.role, action), owner));
}

/** Reading a plan needs `assessments:read` reaching its organisation (an authority's roles reach its settings' plans too). */
export function mayReadImprovementPlan(viewer: Viewer, owner: PlanOwner): boolean {
  return reaches(viewer, 'assessments:read', owner);
}

export function mayWriteImprovementPlan(viewer: Viewer, owner: PlanOwner): boolean {
  return reaches(viewer, 'plans:write', owner);
}

export function authorOf(viewer: Viewer): Author {
  if (!viewer.signedIn) throw new Error('Only someone signed in changes a plan');
  return { userId: viewer.userId, label: viewer.displayName || viewer.email };
}


export interface OwnerChoices {
  members: { userId: string; label: string }[];
  partners: { organisationId: string; label: string }[];
}

/** A suggestion, and whether the plan already has a priority made from it. */
export type PlanSuggestion = Suggestion & { chosenAs: string | null };

export class ImprovementPlanService {
  private readonly recentReads: RecentPlanReads;

  constructor(
    readonly db: Kysely<Schema>,
    readonly assessments: AssessmentService,
    readonly catalogue: Catalogue,
    /** Passed in so tests can fix the date. */
    readonly clock: () => Date = () => new Date(),
  ) {
    this.recentReads = new RecentPlanReads(db);
  }

  today(): string {
    return isoDateIn(this.clock());
  }

  /** The organisations the viewer may start a plan for: their own, and for authority-wide grants the authority's settings and partners. */
  async organisationsToPlan(viewer: Viewer): Promise<OrganisationSummary[]> {
    if (!viewer.signedIn) return [];
    const authorityWide = viewer.memberships.filter((membership) => scopeOf(membership.role, 'plans:write') === 'authority' && membership.laCode !== null).map((membership) => membership.laCode!);
    const inAuthorities = await organisationsOfAuthorities(this.db, [...new Set(authorityWide)]);
    const own = await Promise.all(viewer.memberships.filter((membership) => scopeOf(membership.role, 'plans:write') === 'organisation').map((membership) => organisationById(this.db, membership.organisationId)));
    const all = [...inAuthorities, ...own.filter((organisation): organisation is OrganisationSummary => organisation !== undefined)];
    const unique = [...new Map(all.map((organisation) => [organisation.id, organisation])).values()];
    return unique.filter((organisation) => organisation.laCode !== null && mayWriteImprovementPlan(viewer, { organisationId: organisation.id, laCode: organisation.laCode }));
  }

  /** The plans the viewer may read. */
  async list(viewer: Viewer): Promise<ImprovementPlanSummary[]> {
    if (!viewer.signedIn || !viewerMay(viewer, 'assessments:read')) return [];
    const englandWide = viewer.memberships.some((membership) => scopeOf(membership.role, 'assessments:read') === 'england');
    const laCodes = [...new Set(viewer.memberships.flatMap((membership) => (membership.laCode === null ? [] : [membership.laCode])))];
    const regional = viewer.memberships.some((membership) => scopeOf(membership.role, 'assessments:read') === 'region');
    const plans = await listImprovementPlans(this.db, englandWide || regional ? { today: this.today() } : { laCodes, today: this.today() });
    return plans.filter((plan) => mayReadImprovementPlan(viewer, plan));
  }

  async get(viewer: Viewer, id: string): Promise<ImprovementPlan | Refusal> {
    // Read whole (or as read before, at the same revision), then checked: nothing leaves for those who may not read it.
    const plan = await this.recentReads.read(id);
    return plan !== undefined && mayReadImprovementPlan(viewer, plan) ? plan : notFound;
  }

  /** The plan, when the viewer may change it. */
  async writable(viewer: Viewer, id: string): Promise<ImprovementPlan | Refusal> {
    const plan = await this.get(viewer, id);
    if (isRefusal(plan)) return plan;
    return mayWriteImprovementPlan(viewer, plan) ? plan : readOnly;
  }

  /** Members of the plan's organisation (who may own actions and the plan), and the partner organisations of its authority. */
  async ownerChoices(owner: PlanOwner): Promise<OwnerChoices> {
    const members = await this.db
      .selectFrom('membership')
      .innerJoin('user_account', 'user_account.id', 'membership.user_id')
      .select(['user_account.id', 'user_account.display_name', 'user_account.email'])
      .where('membership.organisation_id', '=', owner.organisationId)
      .where('user_account.status', '=', 'active')
      .distinct()
      .execute();
    const partners = await this.db
      .selectFrom('organisation')
      .select(['id', 'name'])
      .where('la_code', '=', owner.laCode)
      .where('kind', 'in', ['partner', 'setting'])
      .where('id', '<>', owner.organisationId)
      .orderBy('name')
      .execute();
    return {
      members: members.map((member) => ({ userId: member.id, label: member.display_name || member.email })).sort((a, b) => a.label.localeCompare(b.label, 'en-GB')),
      partners: partners.map((partner) => ({ organisationId: partner.id, label: partner.name })),
    };
  }

  async create(viewer: Viewer, body: Body): Promise<ImprovementPlan | Refusal> {
    const errors: FieldError[] = [];
    const organisationId = text(body.organisation_id);
    const organisation = isUuid(organisationId) ? await organisationById(this.db, organisationId) : undefined;
    const owner = organisation?.laCode ? { organisationId: organisation.id, laCode: organisation.laCode } : undefined;
    if (owner === undefined || !mayWriteImprovementPlan(viewer, owner)) {
      errors.push({ field: 'organisation_id', text: organisationId === '' ? 'Choose the organisation the plan is for' : 'Choose an organisation you may write plans for; this one is not yours' });
    }
    const form = parsePlanForm(body);
    if (!form.ok) errors.push(...form.errors);
    if (owner !== undefined && form.ok) await this.checkPlanOwner(owner, form.value.ownerUserId, errors);
    if (errors.length > 0 || owner === undefined || !form.ok) return { statusCode: 422, message: 'The plan could not be started', errors };
    return this.change(() => createImprovementPlan(this.db, owner, { ...form.value, ownerUserId: form.value.ownerUserId || null }, authorOf(viewer)));
  }

  private async checkPlanOwner(owner: PlanOwner, userId: string, errors: FieldError[]): Promise<void> {
    if (userId === '') return;
    const { members } = await this.ownerChoices(owner);
    if (!members.some((member) => member.userId === userId)) errors.push({ field: 'owner_user_id', text: 'The plan’s owner must be a member of the organisation' });
  }

  /** Runs a change, turning the store's refusals into the service's. */
  private async change<T>(run: () => Promise<T>): Promise<T | Refusal> {
    try {
      return await run();
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal === undefined) throw error;
      return refusal;
    }
  }

  private staleOrMissingVersion(body: Body): Refusal | number {
    const version = parseVersion(body);
    return version === undefined ? { statusCode: 422, message: 'The change does not say which version it started from', errors: [{ field: 'version', text: 'Give the version you started from (reload the page)' }] } : version;
  }

  async saveDetails(viewer: Viewer, id: string, body: Body): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const version = this.staleOrMissingVersion(body);
    if (isRefusal(version)) return version;
    const form = parsePlanForm(body);
    const errors = form.ok ? [] : [...form.errors];
    if (form.ok) await this.checkPlanOwner(plan, form.value.ownerUserId, errors);
    if (!form.ok || errors.length > 0) return { statusCode: 422, message: 'The plan could not be saved', errors };
    return this.change(() => savePlanFields(this.db, plan.laCode, plan.id, version, { ...form.value, ownerUserId: form.value.ownerUserId || null }, authorOf(viewer)));
  }

  /** The ranked suggestions for the plan's organisation, each marked with the priority already made from it. */
  async suggestions(viewer: Viewer, plan: ImprovementPlan, options: { released?: boolean } = {}): Promise<PlanSuggestion[]> {
    const evidence = await readSuggestionEvidence(this.db, this.assessments, this.catalogue, viewer, { laCode: plan.laCode, organisationId: plan.organisationId, organisationKind: plan.organisationKind }, options);
    const chosen = new Map(plan.priorities.flatMap((priority) => (priority.suggestionKey === null ? [] : [[priority.suggestionKey, priority.id] as const])));
    return suggestPriorities(evidence).map((suggestion) => ({ ...suggestion, chosenAs: chosen.get(suggestion.key) ?? null }));
  }

  /**
   * Adds a priority: from a suggestion (`suggestion` names its key; its title, reason and links are
   * taken, and any the body gives are kept), or written (`title`, `rationale`, links).
   */
  async addPriority(viewer: Viewer, id: string, body: Body): Promise<{ plan: ImprovementPlan; priorityId: string } | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const key = text(body.suggestion);
    let fields: Body = body;
    let suggestionKey: string | null = null;
    if (key !== '') {
      // The reasons are kept in the plan for every reader: written from the released figures, never the exact ones.
      const suggestion = (await this.suggestions(viewer, plan, { released: true })).find((entry) => entry.key === key);
      if (suggestion === undefined) return { statusCode: 422, message: 'The priority could not be added', errors: [{ field: 'suggestion', text: 'That suggestion is no longer made: the evidence behind it has changed. Choose from the list again.' }] };
      if (suggestion.chosenAs !== null) return { statusCode: 409, message: 'The priority could not be added', errors: [{ field: 'suggestion', text: 'The plan already has a priority made from this suggestion' }] };
      suggestionKey = key;
      fields = { title: text(body.title) || suggestion.title, rationale: text(body.rationale) || `${suggestion.why} ${suggestion.evidence.slice(0, 3).map((item) => item.text).join('; ')}.`.slice(0, 5_000), links: suggestion.links };
    }
    const form = parsePriorityForm(fields);
    if (!form.ok) return { statusCode: 422, message: 'The priority could not be added', errors: form.errors };
    const linkErrors = await this.checkLinks(viewer, plan, form.value.links);
    if (linkErrors.length > 0) return { statusCode: 422, message: 'The priority could not be added', errors: linkErrors };
    return this.change(() => addPriority(this.db, plan.laCode, plan.id, { ...form.value, source: suggestionKey === null ? 'written' : 'suggested', suggestionKey }, authorOf(viewer)));
  }

  async savePriority(viewer: Viewer, id: string, priorityId: string, body: Body): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const version = this.staleOrMissingVersion(body);
    if (isRefusal(version)) return version;
    const form = parsePriorityForm(body);
    if (!form.ok) return { statusCode: 422, message: 'The priority could not be saved', errors: form.errors };
    const linkErrors = await this.checkLinks(viewer, plan, form.value.links);
    if (linkErrors.length > 0) return { statusCode: 422, message: 'The priority could not be saved', errors: linkErrors };
    return this.change(() => savePriority(this.db, plan.laCode, plan.id, priorityId, version, form.value, authorOf(viewer)));
  }

  async removePriority(viewer: Viewer, id: string, priorityId: string, body: Body): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const version = this.staleOrMissingVersion(body);
    if (isRefusal(version)) return version;
    return this.change(() => removePriority(this.db, plan.laCode, plan.id, priorityId, version, authorOf(viewer)));
  }

  async movePriority(viewer: Viewer, id: string, priorityId: string, direction: string): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    if (direction !== 'up' && direction !== 'down') return { statusCode: 422, message: 'A priority moves up or down', errors: [{ field: 'direction', text: 'Direction must be up or down' }] };
    return this.change(() => movePriority(this.db, plan.laCode, plan.id, priorityId, direction, authorOf(viewer)));
  }

  /**
   * Adds a success measure to a priority: a gap (indicator and group, against a comparator) with a
   * target. The baseline is the latest figure the viewer may see when it is made.
   */
  async addMeasure(viewer: Viewer, id: string, priorityId: string, body: Body): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const form = parseMeasureForm(body);
    if (!form.ok) return { statusCode: 422, message: 'The measure could not be added', errors: form.errors };
    const errors: FieldError[] = [];
    const measure = form.value;
    const definition = indicatorDefinitions.find((entry) => entry.name === measure.indicator);
    if (definition === undefined) errors.push({ field: 'gap', text: `There is no indicator called “${measure.indicator.slice(0, 60)}”` });
    if (!groupExists(measure.groupSpec)) errors.push({ field: 'gap', text: `There is no group called “${measure.groupSpec.slice(0, 60)}”` });
    if (!['all-other', 'all', 'england', 'region'].includes(measure.comparator)) errors.push({ field: 'comparator', text: 'Comparator must be all-other, all, england or region' });
    const targetYear = parseAcademicYear(measure.targetYear);
    if (targetYear === undefined) errors.push({ field: 'target_year', text: `The target year must be an academic year like 2028/29; “${measure.targetYear.slice(0, 20)}” is not` });
    if (errors.length > 0 || targetYear === undefined) return { statusCode: 422, message: 'The measure could not be added', errors };
    // The baseline is stored and shown to everyone who reads the plan, so it is read as released to
    // viewers without child-level access, whoever sets it: never an exact figure behind small numbers.
    const { cells, refusal } = await measureSeries(this.db, 'released', plan.laCode, measure);
    const baseline = [...cells].reverse().find((cell) => figureOf(cell, measure.figure) !== null);
    if (baseline === undefined) {
      return { statusCode: 422, message: 'The measure could not be added', errors: [{ field: 'gap', text: refusal ?? 'There is no figure for this gap yet to set a baseline from (none loaded, or every year withheld for small numbers): choose another, or load the data first' }] };
    }
    if (targetYear <= parseAcademicYear(baseline.year)!) {
      return { statusCode: 422, message: 'The measure could not be added', errors: [{ field: 'target_year', text: `The target year must be after the baseline year, ${baseline.year}` }] };
    }
    const percentage = definition!.type === 'binary';
    if (measure.figure === 'group-value' && percentage && (measure.targetValue < 0 || measure.targetValue > 100)) {
      return { statusCode: 422, message: 'The measure could not be added', errors: [{ field: 'target_value', text: 'The target is a percentage: from 0 to 100' }] };
    }
    return this.change(() =>
      addMeasure(
        this.db,
        plan.laCode,
        plan.id,
        priorityId,
        { ...measure, targetYear: measure.targetYear.replace('-', '/'), baselineYear: baseline.year, baselineValue: figureOf(baseline, measure.figure)! },
        authorOf(viewer),
      ),
    );
  }

  async removeMeasure(viewer: Viewer, id: string, measureId: string): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    return this.change(() => removeMeasure(this.db, plan.laCode, plan.id, measureId, authorOf(viewer)));
  }

  private async checkOwner(plan: ImprovementPlan, owner: { kind: 'member'; userId: string } | { kind: 'partner'; organisationId: string }): Promise<FieldError[]> {
    const choices = await this.ownerChoices(plan);
    const known = owner.kind === 'member' ? choices.members.some((member) => member.userId === owner.userId) : choices.partners.some((partner) => partner.organisationId === owner.organisationId);
    return known ? [] : [{ field: 'owner', text: owner.kind === 'member' ? 'The owner must be a member of the organisation whose plan this is' : 'The owner must be a partner organisation or setting of the authority' }];
  }

  async addAction(viewer: Viewer, id: string, priorityId: string, body: Body): Promise<{ plan: ImprovementPlan; actionId: string } | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const form = parseActionForm(body, { noteRequired: false });
    if (!form.ok) return { statusCode: 422, message: 'The action could not be added', errors: form.errors };
    const ownerErrors = await this.checkOwner(plan, form.value.owner);
    if (ownerErrors.length > 0) return { statusCode: 422, message: 'The action could not be added', errors: ownerErrors };
    return this.change(() => addAction(this.db, plan.laCode, plan.id, priorityId, form.value, authorOf(viewer)));
  }

  /** Changes an action and logs the update: its status and a note saying what happened. */
  async updateAction(viewer: Viewer, id: string, actionId: string, body: Body): Promise<ImprovementPlan | Refusal> {
    const plan = await this.writable(viewer, id);
    if (isRefusal(plan)) return plan;
    const version = this.staleOrMissingVersion(body);
    if (isRefusal(version)) return version;
    const form = parseActionForm(body, { noteRequired: true });
    if (!form.ok) return { statusCode: 422, message: 'The update could not be saved', errors: form.errors };
    const ownerErrors = await this.checkOwner(plan, form.value.owner);
    if (ownerErrors.length > 0) return { statusCode: 422, message: 'The update could not be saved', errors: ownerErrors };
    return this.change(() => updateAction(this.db, plan.laCode, plan.id, actionId, version, form.value, authorOf(viewer)));
  }

  /** The actions the viewer owns, in the plans they may still read. */
  async myActions(viewer: Viewer): Promise<OwnedAction[]> {
    if (!viewer.signedIn) return [];
    return actionsOwnedBy(this.db, viewer.userId);
  }

  /** Each link checked: it names something that exists and that the viewer may see. Errors name the link's field. */
  async checkLinks(viewer: Viewer, plan: ImprovementPlan, links: readonly PriorityLink[]): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const wants = (kind: PriorityLink['kind']) => links.filter((link) => link.kind === kind).map((link) => link.target);
    for (const thread of wants('thread')) {
      if (!/^GT(0[1-9]|10)$/.test(thread)) errors.push({ field: linkField('thread'), text: `“${thread.slice(0, 40)}” is not a golden thread (GT01 to GT10)` });
    }
    const statements = wants('statement');
    if (statements.length > 0) {
      const known = new Set((await statementsAt(this.db, this.catalogue)).statements.map((statement) => statement.id));
      for (const statement of statements) if (!known.has(statement)) errors.push({ field: linkField('statement'), text: `There is no statement “${statement.slice(0, 60)}” in the framework` });
    }
    for (const gap of wants('gap')) {
      const [indicator = '', group = ''] = gap.split('|');
      if (!indicatorDefinitions.some((entry) => entry.name === indicator) || !groupExists(group)) errors.push({ field: linkField('gap'), text: `“${gap.slice(0, 60)}” is not a gap: give an indicator and a group as indicator|group` });
    }
    for (const curvePlanId of wants('curve-plan')) {
      const curvePlan = isUuid(curvePlanId) && mayReadPlans(viewer, plan.laCode) ? await readPlan(this.db, plan.laCode, curvePlanId) : undefined;
      if (curvePlan === undefined) errors.push({ field: linkField('curve-plan'), text: `There is no turn-the-curve plan “${curvePlanId.slice(0, 40)}” of this authority that you may see` });
    }
    const practice = wants('practice');
    if (practice.length > 0) {
      const heads = await itemHeads(this.db, practice);
      for (const itemId of practice) {
        if (heads.get(itemId)?.status !== 'published') errors.push({ field: linkField('practice'), text: `There is no published practice item “${itemId.slice(0, 40)}”` });
      }
    }
    return errors;
  }

  /** A plan's measures with their figures now, and its links in words, as the viewer may see them. */
  async details(viewer: Viewer, plan: ImprovementPlan): Promise<{ readings: MeasureReading[]; links: Map<string, DescribedLink> }> {
    const [readings, links] = await Promise.all([
      readMeasures(this.db, viewer, plan.laCode, plan.priorities.flatMap((priority) => priority.measures)),
      describeLinks(this.db, this.assessments, this.catalogue, viewer, plan),
    ]);
    return { readings, links };
  }

  /** The board paper of a plan as of today, with figures released to the viewer. */
  async boardPaper(viewer: Viewer, plan: ImprovementPlan): Promise<BoardPaper> {
    const { readings, links } = await this.details(viewer, plan);
    return buildBoardPaper({ plan, readings, links, today: this.today() });
  }

  /**
   * What a priority's links and measures may be chosen from: the authority's curves to turn (the
   * ranked gaps, as released to the viewer), its turn-the-curve plans, and the published practice
   * serving its groups or the golden threads.
   */
  async choices(viewer: Viewer, plan: ImprovementPlan): Promise<{ gaps: { target: string; label: string }[]; curvePlans: { target: string; label: string }[]; practice: { target: string; label: string }[] }> {
    const isAuthority = plan.organisationKind === 'local-authority';
    const [curves, curvePlans] = await Promise.all([
      isAuthority ? curvesFor(this.db, { laCode: plan.laCode, suppress: !seesSmallNumbers(viewer, { laCode: plan.laCode }) }) : Promise.resolve({ curves: [] }),
      isAuthority && mayReadPlans(viewer, plan.laCode) ? listPlans(this.db, [plan.laCode]) : Promise.resolve([]),
    ]);
    const gaps = curves.curves.slice(0, gapChoiceCount).map((curve) => ({
      target: `${curve.indicator}|${curve.group}`,
      label: `${curve.group_label}: ${curve.indicator_label} (number ${curve.rank} of the curves to turn, ${curve.year})`,
    }));
    const groups = [...new Set(curves.curves.slice(0, gapChoiceCount).map((curve) => curve.group))];
    const threads = Array.from({ length: 10 }, (_, index) => `GT${String(index + 1).padStart(2, '0')}`);
    const practice = (await candidateItems(this.db, groups, [], threads))
      .sort((a, b) => b.evidenceStrength - a.evidenceStrength || a.title.localeCompare(b.title, 'en-GB'))
      .slice(0, practiceChoiceCount)
      .map((item) => ({ target: item.id, label: `${item.title} (${item.grade}, evidence ${item.evidenceStrength} of 5)` }));
    return { gaps, curvePlans: curvePlans.map((curvePlan) => ({ target: curvePlan.id, label: curvePlan.title })), practice };
  }

  /** The organisation a new plan could be for, when the viewer may write it. */
  async organisationToPlan(viewer: Viewer, organisationId: string): Promise<OrganisationSummary | undefined> {
    return (await this.organisationsToPlan(viewer)).find((organisation) => organisation.id === organisationId);
  }
}

/** The store's refusals in the service's words; undefined for any other error. */
function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof ImprovementConflictError) {
    return { statusCode: 409, message: `Someone changed this ${error.what} after you opened it (${error.current.updatedBy}): nothing was saved. Check the plan as it now stands and make your change again.`, current: error.current };
  }
  if (error instanceof ImprovementNotFoundError) return { statusCode: 404, message: `There is no such ${error.what} in this plan (it may have been removed).` };
  if (error instanceof DuplicatePlanError) return { statusCode: 409, message: error.message, errors: [{ field: 'period_start-day', text: 'This organisation already has a plan starting on that date: open it instead, or choose another start' }] };
  return undefined;
}

function groupExists(spec: string): boolean {
  try {
    parseGroup(spec);
    return spec !== '';
  } catch {
    return false;
  }
}

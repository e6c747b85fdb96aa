/**
 * Practice items for tests: complete content a submission accepts, and people in each part of the
 * call for evidence (a submitter, the national team, reviewers), signed in as the pages see them.
 */
import type { Kysely } from 'kysely';
import type { Viewer } from '../../src/auth/gate.js';
import { findSessionUser } from '../../src/auth/sessions.js';
import type { Role } from '../../src/auth/permissions.js';
import type { Schema } from '../../src/db/schema.js';
import type { PracticeContent, PracticeResult } from '../../src/practice/content.js';
import { emptyContent } from '../../src/practice/content.js';
import type { Actor } from '../../src/practice/workflow.js';
import { newOrganisation, newSignedInUser } from './accounts.js';

export function meansResult(overrides: Partial<PracticeResult> = {}): PracticeResult {
  return {
    outcome: 'Reading age (months)',
    forWhom: 'Children in care, Years 4 to 6',
    measure: 'means',
    higherIsBetter: true,
    effectSize: null,
    lower: null,
    upper: null,
    n: 60,
    mean: 98,
    sd: 21,
    events: null,
    comparatorMean: 92,
    comparatorSd: 22,
    comparatorEvents: null,
    comparatorN: 65,
    ...overrides,
  };
}

/** Content that passes every check for a submission. */
export function completeContent(overrides: Partial<PracticeContent> = {}): PracticeContent {
  return {
    ...emptyContent(),
    title: 'Reading buddies for children in care',
    summary: 'Trained volunteers read with children in care twice a week for a school year.',
    problem: 'Children in care in our primary schools were on average two years behind in reading.',
    whatWasDone: 'The virtual school trained 40 volunteers who read with each child twice a week.',
    groups: ['children-in-care'],
    outcomes: ['enjoy-and-achieve'],
    threads: ['GT03'],
    statements: ['T1-FRONTLINE-UNIVERSAL-01'],
    tiers: ['targeted'],
    settingTypes: ['primary'],
    ageFrom: 8,
    ageTo: 11,
    laCode: 'E09000007',
    partners: 'Virtual school; local library service',
    costPerChild: 150,
    costNotes: 'Volunteer training and books',
    staffing: 'A coordinator one day a week',
    implementation: 'Recruit and train volunteers before the school year starts.',
    whatWentWrong: 'Placement moves broke some pairings.',
    durationMonths: 12,
    design: 'comparison',
    evaluation: 'Compared with children in care in neighbouring schools.',
    results: [meansResult()],
    links: [{ url: 'https://example.org/report', title: 'Evaluation report' }],
    contactName: 'Virtual school head',
    contactEmail: 'virtual.school@example.org',
    contactPublic: true,
    consent: true,
    ...overrides,
  };
}

export interface PracticePeople {
  submitter: Actor;
  other: Actor;
  moderator: Actor;
  reviewerA: Actor;
  reviewerB: Actor;
  reviewerC: Actor;
  tokens: Map<string, string>;
}

async function actorFor(db: Kysely<Schema>, email: string, role: Role, organisationId: string, tokens: Map<string, string>, who: string): Promise<Actor> {
  const { sessionToken } = await newSignedInUser(db, { email, role, organisationId });
  tokens.set(who, sessionToken);
  const viewer = { signedIn: true, ...(await findSessionUser(db, sessionToken))! } as Extract<Viewer, { signedIn: true }>;
  return { viewer: { ...viewer, secondFactorDone: true }, ip: `192.0.2.${tokens.size}` };
}

export async function practicePeople(db: Kysely<Schema>, suffix = ''): Promise<PracticePeople> {
  const authority = await newOrganisation(db, { kind: 'local-authority', name: 'Camden', areaCode: 'E09000007', laCode: 'E09000007' });
  const national = await newOrganisation(db, { kind: 'national', name: 'National team', areaCode: 'E92000001' });
  const tokens = new Map<string, string>();
  return {
    submitter: await actorFor(db, `submitter${suffix}@example.org`, 'analyst', authority, tokens, 'submitter'),
    other: await actorFor(db, `other${suffix}@example.org`, 'contributor', national, tokens, 'other'),
    moderator: await actorFor(db, `moderator${suffix}@example.org`, 'national-moderator', national, tokens, 'moderator'),
    reviewerA: await actorFor(db, `reviewer.a${suffix}@example.org`, 'practice-reviewer', national, tokens, 'reviewerA'),
    reviewerB: await actorFor(db, `reviewer.b${suffix}@example.org`, 'practice-reviewer', national, tokens, 'reviewerB'),
    reviewerC: await actorFor(db, `reviewer.c${suffix}@example.org`, 'practice-reviewer', national, tokens, 'reviewerC'),
    tokens,
  };
}

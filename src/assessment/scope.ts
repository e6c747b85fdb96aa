/**
 * What an assessment rates: the ten golden threads (each thread and its "this means" items), or one
 * template (its general conditions and every matrix statement; template three's principles and
 * their bullets).
 */
import type { FrameworkStatement, StatementKind } from '../framework/revisions.js';
import type { OrganisationKind } from '../auth/tables.js';
import type { AssessmentScope } from './tables.js';
import { assessmentScopes } from './tables.js';

export interface ScopeDescription {
  scope: AssessmentScope;
  /** As a person reads it: "Golden threads", "Template 1: children’s centres and early years". */
  label: string;
  /** Who the scope is written for, to help choose. */
  suits: string;
  kinds: readonly StatementKind[];
  template: number | null;
}

export const scopeDescriptions: readonly ScopeDescription[] = [
  { scope: 'threads', label: 'The ten golden threads', suits: 'a local authority and its Children’s Trust partners', kinds: ['golden-thread', 'thread-means'], template: null },
  { scope: 'T1', label: 'Template 1: children’s centres and other early years settings', suits: 'a children’s centre or early years setting, or the authority for all of them', kinds: ['general-condition', 'matrix-statement'], template: 1 },
  { scope: 'T2', label: 'Template 2: schools and other services (extended schools)', suits: 'an extended-school cluster, or the authority', kinds: ['general-condition', 'matrix-statement'], template: 2 },
  { scope: 'T3', label: 'Template 3: what schools can do', suits: 'a school', kinds: ['principle', 'principle-point'], template: 3 },
  { scope: 'T4', label: 'Template 4: engaging with parents and carers', suits: 'a local authority, a school or a children’s centre', kinds: ['general-condition', 'matrix-statement'], template: 4 },
  { scope: 'T5', label: 'Template 5: early intervention and prevention', suits: 'a local authority and its partners', kinds: ['general-condition', 'matrix-statement'], template: 5 },
];

export function isAssessmentScope(value: unknown): value is AssessmentScope {
  return typeof value === 'string' && (assessmentScopes as readonly string[]).includes(value);
}

export function scopeDescription(scope: AssessmentScope): ScopeDescription {
  return scopeDescriptions.find((description) => description.scope === scope)!;
}

/** The statements of a revision that an assessment of this scope rates, in catalogue order. */
export function statementsInScope(statements: readonly FrameworkStatement[], scope: AssessmentScope): FrameworkStatement[] {
  const description = scopeDescription(scope);
  return statements.filter((statement) => description.kinds.includes(statement.kind) && (description.template === null || statement.template === description.template));
}

/** The scopes an organisation of this kind would usually assess first (all scopes stay open to it). */
export function suggestedScopes(kind: OrganisationKind, settingKind: string | null): AssessmentScope[] {
  if (kind === 'local-authority') return ['threads', 'T5', 'T1', 'T2', 'T4'];
  if (kind === 'partner') return ['T2', 'T5'];
  if (settingKind === 'school') return ['T3', 'T4', 'T2'];
  if (settingKind === 'childrens-centre' || settingKind === 'early-years') return ['T1', 'T4'];
  return ['T4'];
}

/** A period is an academic or financial year written `2025/26`. */
export function isPeriod(value: string): boolean {
  const match = /^(\d{4})\/(\d{2})$/.exec(value);
  return match !== null && (Number(match[1]) + 1) % 100 === Number(match[2]);
}

/** The period before (`2025/26` → `2024/25`). */
export function previousPeriod(period: string): string {
  const start = Number(period.slice(0, 4)) - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

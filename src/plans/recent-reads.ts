/**
 * Plans as last read, used again while their revision is unchanged. Reading a plan whole (200
 * actions and their logs) costs the database some milliseconds; asking its revision costs one
 * row. Every change to a plan's content raises its revision, so a plan used again is never behind
 * on its own content. The names it shows (its organisation, its owners) are not part of it: a
 * plan is read afresh at least every `namesFreshForMs`, so a renamed person or organisation shows
 * within that time.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ImprovementPlan } from './model.js';
import { improvementPlanRevision, readImprovementPlan } from './store.js';

const namesFreshForMs = 30_000;
const plansKept = 64;

export class RecentPlanReads {
  private readonly plans = new Map<string, { plan: ImprovementPlan; readAt: number }>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The plan as stored now (any authority's: the caller checks reach), or undefined when there is none. */
  async read(id: string): Promise<ImprovementPlan | undefined> {
    const revision = await improvementPlanRevision(this.db, id);
    if (revision === undefined) {
      this.plans.delete(id);
      return undefined;
    }
    const kept = this.plans.get(id);
    if (kept !== undefined && kept.plan.revision === revision && this.now() - kept.readAt < namesFreshForMs) return kept.plan;
    const readAt = this.now();
    const plan = await readImprovementPlan(this.db, undefined, id);
    if (plan === undefined) return undefined;
    this.plans.delete(id);
    this.plans.set(id, { plan: deepFrozen(plan), readAt });
    while (this.plans.size > plansKept) this.plans.delete(this.plans.keys().next().value!);
    return plan;
  }
}

/** Shared between requests, so no reader may change it: a change would show in every other. */
function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}

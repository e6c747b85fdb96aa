import type { ImprovementActionStatus, LinkKind, MeasureFigure, PrioritySource } from './tables.js';

/** Who made a change, as the history shows it. */
export interface Author {
  userId: string | null;
  label: string;
}

export interface ActionUpdate {
  writtenBy: string;
  writtenAt: Date;
  status: ImprovementActionStatus;
  note: string;
}

/** Who carries an action: a member of the plan's organisation, or a partner organisation of its authority. */
export type ActionOwner = { kind: 'member'; userId: string; label: string } | { kind: 'partner'; organisationId: string; label: string };

export interface ImprovementAction {
  id: string;
  priorityId: string;
  title: string;
  owner: ActionOwner;
  /** ISO dates (yyyy-mm-dd). */
  startDate: string;
  dueDate: string;
  status: ImprovementActionStatus;
  version: number;
  /** Oldest first. */
  updates: ActionUpdate[];
}

export interface PriorityLink {
  kind: LinkKind;
  /**
   * `thread`: GT01..GT10; `statement`: a catalogue statement id; `gap`: `indicator|group`;
   * `curve-plan`: a turn-the-curve plan's id; `practice`: a practice item's id.
   */
  target: string;
}

export interface SuccessMeasure {
  id: string;
  priorityId: string;
  indicator: string;
  groupSpec: string;
  comparator: string;
  figure: MeasureFigure;
  /** Academic years as the gap figures write them (2024/25). */
  baselineYear: string;
  baselineValue: number;
  targetYear: string;
  targetValue: number;
}

export interface Priority {
  id: string;
  position: number;
  title: string;
  rationale: string;
  source: PrioritySource;
  suggestionKey: string | null;
  version: number;
  links: PriorityLink[];
  measures: SuccessMeasure[];
  actions: ImprovementAction[];
}

export interface ImprovementPlan {
  laCode: string;
  id: string;
  organisationId: string;
  organisationName: string;
  organisationKind: string;
  /** ISO dates; the period runs from the start to the end, both inclusive. */
  periodStart: string;
  periodEnd: string;
  title: string;
  vision: string;
  ownerUserId: string | null;
  ownerLabel: string | null;
  version: number;
  revision: number;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  /** In the board's order. */
  priorities: Priority[];
}

export interface ImprovementPlanSummary {
  laCode: string;
  id: string;
  organisationId: string;
  organisationName: string;
  /** `local-authority` for the council's own plan, `setting` for a school's or centre's. */
  organisationKind: string;
  periodStart: string;
  periodEnd: string;
  title: string;
  priorities: number;
  actions: number;
  overdue: number;
  updatedAt: Date;
}

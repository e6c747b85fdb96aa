/**
 * The rating scale and its plain descriptors, shown beside every rating so that two people mean
 * the same thing by "established". Four levels, as Ofsted-style self-evaluation and the LGA's
 * peer-challenge frameworks use, with "not applicable" as a separate answer that needs a reason.
 */
import type { Confidence } from './tables.js';

export const ratingLevels = [1, 2, 3, 4] as const;
export type RatingLevel = (typeof ratingLevels)[number];

export interface LevelDescription {
  level: RatingLevel;
  /** Machine name, used in the API, CSV and the command line. */
  name: 'not-yet-in-place' | 'developing' | 'established' | 'embedded';
  label: string;
  descriptor: string;
}

export const levelDescriptions: readonly LevelDescription[] = [
  { level: 1, name: 'not-yet-in-place', label: 'Not yet in place', descriptor: 'Little or none of this happens yet, or only by chance; there is no agreed way of doing it.' },
  { level: 2, name: 'developing', label: 'Developing', descriptor: 'Some of this happens, in some places or for some children; plans to do more are agreed but not yet working everywhere.' },
  { level: 3, name: 'established', label: 'Established', descriptor: 'This happens routinely for the children it is meant for, and we can show it with evidence.' },
  { level: 4, name: 'embedded', label: 'Embedded', descriptor: 'This is how we always work: it is sustained, reviewed, and we can show it is narrowing the gap.' },
];

export function isRatingLevel(value: unknown): value is RatingLevel {
  return typeof value === 'number' && (ratingLevels as readonly number[]).includes(value);
}

export function levelLabel(level: number | null): string {
  return levelDescriptions.find((description) => description.level === level)?.label ?? 'Not rated';
}

export function levelName(level: number | null): string | null {
  return levelDescriptions.find((description) => description.level === level)?.name ?? null;
}

/** The level a machine name or number stands for ("established", "3"), or undefined. */
export function parseLevel(value: unknown): RatingLevel | undefined {
  if (isRatingLevel(value)) return value;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().toLowerCase();
  const byName = levelDescriptions.find((description) => description.name === trimmed);
  if (byName !== undefined) return byName.level;
  const number = Number(trimmed);
  return trimmed !== '' && isRatingLevel(number) ? number : undefined;
}

export const confidenceDescriptions: Record<Confidence, { label: string; descriptor: string }> = {
  low: { label: 'Low', descriptor: 'Our own view, with little written or measured evidence yet.' },
  medium: { label: 'Medium', descriptor: 'Some evidence: documents, audits or figures that support the rating in part.' },
  high: { label: 'High', descriptor: 'Strong evidence that others have checked: figures over time, external review, children’s and families’ views.' },
};

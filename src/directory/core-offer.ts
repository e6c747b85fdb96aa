/**
 * The extended-services core offer (DfES, "Extended schools: access to opportunities and services
 * for all", 2005; carried into the seed pack's templates 2 and 5): what every child and family
 * should be able to reach through schools and children's centres. Each service in the directory
 * is tagged with the strands it delivers, and coverage is counted strand by strand.
 */
export const coreOfferStrands = [
  {
    id: 'childcare',
    label: 'Childcare 8am to 6pm',
    description: 'High-quality childcare from 8am to 6pm, all year round, through the setting or with other providers.',
  },
  {
    id: 'varied-activities',
    label: 'Varied activities',
    description: 'A varied menu of activities: study support, sport, music, arts, clubs and volunteering, for children and young people.',
  },
  {
    id: 'parenting-support',
    label: 'Parenting and family support',
    description: 'Parenting support, including information sessions, parenting programmes and family learning.',
  },
  {
    id: 'swift-access',
    label: 'Swift and easy access to specialist services',
    description: 'Swift and easy referral to targeted and specialist services, such as speech and language therapy and mental health support.',
  },
  {
    id: 'community-access',
    label: 'Community access',
    description: 'Community use of facilities, including adult learning, ICT and sports facilities.',
  },
] as const;

export type CoreOfferStrand = (typeof coreOfferStrands)[number]['id'];

export const coreOfferStrandIds: readonly CoreOfferStrand[] = coreOfferStrands.map((strand) => strand.id);

const strandById = new Map<string, (typeof coreOfferStrands)[number]>(coreOfferStrands.map((strand) => [strand.id, strand]));

export function isCoreOfferStrand(value: string): value is CoreOfferStrand {
  return strandById.has(value);
}

export function coreOfferStrandLabel(id: CoreOfferStrand): string {
  return strandById.get(id)!.label;
}

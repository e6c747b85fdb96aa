/**
 * Which framework group a published filter value names. Published files break figures down by
 * characteristic ("Disadvantaged", "Looked after", "SEN support", ...); a value that names one of
 * the framework's groups plainly is tagged with the group's id, so the gap matrix can find the
 * group's figures in any file. Only clear matches are listed: comparators ("Not known to be eligible
 * for FSM", "Disadvantaged all other", "No SEN"), totals and anything ambiguous stay untagged, and
 * every value is kept exactly as published either way.
 */
const groupValues: Readonly<Record<string, readonly string[]>> = {
  'poorer-socio-economic-groups': [
    'Disadvantaged',
    'Disadvantaged pupils',
    'Disadvantaged children',
    'FSM',
    'FSM eligible',
    'Eligible for FSM',
    'Known to be eligible for FSM',
    'Eligible for free school meals',
    'Known to be eligible for free school meals',
    'FSM6',
    'FSM in the last 6 years',
    'Eligible for FSM in the last 6 years',
    'Ever 6 FSM',
  ],
  'children-in-care': [
    'Looked after',
    'Looked after children',
    'Looked-after children',
    'Children looked after',
    'CLA',
    'Children in care',
    'CLA 12 months at 31 March',
    'Looked after continuously for 12 months or more',
    'Looked after for 12 months or more',
  ],
  'children-with-sen': [
    'SEN',
    'Any SEN',
    'With SEN',
    'Any special educational need',
    'Special educational needs',
    'SEN support',
    'EHC plan',
    'EHCP',
    'Education, health and care plan',
    'Statement or EHC plan',
    'Statement of SEN or EHC plan',
    'SEN with a statement or EHC plan',
    'SEN support / SEN without an EHC plan',
  ],
  'children-with-disabilities': ['Disabled', 'Disabled children', 'With a disability'],
  'poor-attendance': ['Persistently absent', 'Persistent absentee', 'Persistent absentees'],
  'ethnic-minority-backgrounds': ['Minority ethnic', 'Ethnic minority', 'Minority ethnic group', 'Minority ethnic pupils'],
  'at-risk-of-significant-harm': ['Child protection plan', 'On a child protection plan', 'Children on a child protection plan', 'CPP', 'CPPO at 31 March'],
  'not-fluent-in-english': ['EAL', 'English as an additional language', 'First language known or believed to be other than English', 'Other than English'],
  'young-carers': ['Young carer', 'Young carers'],
  'asylum-seekers-refugees': ['Unaccompanied asylum-seeking children', 'UASC', 'Asylum seeker', 'Asylum seekers', 'Refugee', 'Refugees'],
};

/** Lower case, one space between words, dashes and apostrophes made plain: "Looked–after" matches "Looked-after". */
function normaliseValue(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ');
}

const groupByValue: ReadonlyMap<string, string> = new Map(
  Object.entries(groupValues).flatMap(([groupId, values]) => values.map((value) => [normaliseValue(value), groupId] as const)),
);

/** The framework group ids the mapping can give, for checking against the catalogue. */
export const mappedGroupIds: readonly string[] = Object.keys(groupValues);

/** The framework group a filter value names, or undefined when it names none plainly. */
export function groupForFilterValue(value: string): string | undefined {
  return groupByValue.get(normaliseValue(value));
}


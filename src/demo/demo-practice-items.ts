/**
 * The demo's practice items: fictional examples written to read like real submissions, across the
 * framework's groups, outcomes, settings and grades. Each says it is fictional. Where each ends up
 * in the call for evidence (published with a grade, or somewhere in moderation) is in `fate`.
 */
import type { PracticeContent, PracticeResult } from '../practice/content.js';
import { emptyContent } from '../practice/content.js';

export type DemoFate =
  | { kind: 'published'; grade: 'validated' | 'promising' | 'emerging'; strength: number; daysAgo: number }
  | { kind: 'draft' | 'submitted' | 'in-review' | 'half-reviewed' | 'awaiting-decision' | 'returned' | 'rejected' | 'withdrawn' };

export interface DemoPracticeItem {
  /** Who submits it: a demo account's role. */
  by: 'contributor' | 'analyst' | 'leader' | 'practitioner' | 'setting-leader' | 'regional-adviser';
  fate: DemoFate;
  content: PracticeContent;
}

function means(outcome: string, forWhom: string, n: number, mean: number, sd: number, comparatorN: number, comparatorMean: number, comparatorSd: number, higherIsBetter = true): PracticeResult {
  return { outcome, forWhom, measure: 'means', higherIsBetter, effectSize: null, lower: null, upper: null, n, mean, sd, events: null, comparatorMean, comparatorSd, comparatorEvents: null, comparatorN };
}

function counts(outcome: string, forWhom: string, n: number, events: number, comparatorN: number, comparatorEvents: number, higherIsBetter = true): PracticeResult {
  return { outcome, forWhom, measure: 'counts', higherIsBetter, effectSize: null, lower: null, upper: null, n, mean: null, sd: null, events, comparatorMean: null, comparatorSd: null, comparatorEvents, comparatorN };
}

function effect(outcome: string, forWhom: string, n: number, effectSize: number, lower: number, upper: number): PracticeResult {
  return { outcome, forWhom, measure: 'effect', higherIsBetter: true, effectSize, lower, upper, n, mean: null, sd: null, events: null, comparatorMean: null, comparatorSd: null, comparatorEvents: null, comparatorN: null };
}

interface Outline {
  title: string;
  summary: string;
  problem: string;
  did: string;
  groups: string[];
  outcomes: string[];
  threads: string[];
  statements?: string[];
  settings: string[];
  tiers: string[];
  ages: [number, number];
  la: string;
  cost: number;
  months: number;
  design: PracticeContent['design'];
  results: PracticeResult[];
  wrong: string;
}

const fictional = 'This is a fictional example written for the demonstration; the place, people and figures are invented.';

function contentOf(outline: Outline, index: number): PracticeContent {
  return {
    ...emptyContent(),
    title: outline.title,
    summary: `${outline.summary} (Fictional example.)`,
    problem: outline.problem,
    whatWasDone: outline.did,
    groups: outline.groups,
    outcomes: outline.outcomes,
    threads: outline.threads,
    statements: outline.statements ?? [],
    tiers: outline.tiers,
    settingTypes: outline.settings,
    ageFrom: outline.ages[0],
    ageTo: outline.ages[1],
    laCode: outline.la,
    partners: 'Schools, health visiting, the voluntary sector and the local authority’s early help service.',
    costPerChild: outline.cost,
    costNotes: outline.cost === 0 ? 'Delivered within existing staff time.' : 'Staff time, training and materials, divided by the children who took part.',
    staffing: 'A coordinator for part of the week, with practitioners trained to deliver it alongside their usual work.',
    implementation: 'Agree who leads it, train the staff who deliver it, and decide at the start how you will know whether it worked.',
    whatWentWrong: outline.wrong,
    durationMonths: outline.months,
    design: outline.design,
    evaluation:
      outline.design === 'none'
        ? `Not formally evaluated: practitioners' and families' views were collected. ${fictional}`
        : `${outline.design === 'randomised' ? 'Children were allocated to take part or not by lot.' : outline.design === 'comparison' ? 'Compared with similar children in settings that did not take part.' : 'Measured before and after, with no comparison group.'} ${fictional}`,
    results: outline.results,
    links: [],
    contactName: `Demo contact ${index + 1}`,
    contactEmail: `practice${index + 1}@example.org`,
    contactPublic: index % 3 !== 0,
    consent: true,
  };
}

const leeds = 'E08000035';
const bradford = 'E08000032';
const wakefield = 'E08000036';
const camden = 'E09000007';
const manchester = 'E08000003';
const bristol = 'E06000023';
const cornwall = 'E06000052';
const norfolk = 'E10000020';
const birmingham = 'E08000025';
const newcastle = 'E08000021';
const kent = 'E10000016';
const nottingham = 'E06000018';

const outlines: (Outline & { by: DemoPracticeItem['by']; fate: DemoFate })[] = [
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 400 },
    title: 'Reading buddies for children in care', summary: 'Trained volunteers read one to one with children in care twice a week through a school year.',
    problem: 'Children in care in our primary schools were on average well behind their classmates in reading, and placement moves broke any continuity in support.',
    did: 'The virtual school recruited and trained volunteers who read with each child twice a week, in school, following the child if they moved school within the county.',
    groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'], threads: ['GT03'], statements: ['T4-FRONTLINE-TARGETED-01'], settings: ['primary'], tiers: ['targeted'], ages: [7, 11], la: leeds, cost: 150, months: 12, design: 'comparison',
    results: [means('Reading age gain (months)', 'Children in care, Years 3 to 6', 58, 14.2, 6.1, 61, 10.9, 6.4), means('Reading age gain (months)', 'Second cohort, the following year', 47, 13.1, 6.8, 52, 10.6, 6.3)],
    wrong: 'A third of pairings broke when children moved placement out of county; we now hand over to the receiving virtual school.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 380 },
    title: 'Breakfast club with a daily check-in', summary: 'A free breakfast club where a named adult greets each child on free school meals and notes how they are.',
    problem: 'Pupils eligible for free school meals were late or absent more often, and staff learnt of worries only when they became crises.',
    did: 'We opened a free breakfast club at 8am with a named adult for each child, who records a short daily check-in and passes concerns to the designated safeguarding lead.',
    groups: ['poorer-socio-economic-groups', 'poor-attendance'], outcomes: ['be-healthy', 'enjoy-and-achieve'], threads: ['GT01'], settings: ['primary'], tiers: ['universal', 'targeted'], ages: [4, 11], la: bradford, cost: 95, months: 24, design: 'before-after',
    results: [means('Attendance (% of sessions)', 'Pupils eligible for free school meals', 112, 94.1, 5.2, 108, 91.8, 6.0)],
    wrong: 'Take-up was low until we stopped calling it a club for disadvantaged pupils and opened it to everyone.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'validated', strength: 5, daysAgo: 360 },
    title: 'Structured early language screening at two', summary: 'Health visitors screen language at the two-year review and refer children to a six-week group run in children’s centres.',
    problem: 'Too many children started school with delayed speech and language, more often in our poorest neighbourhoods.',
    did: 'Health visitors used a structured language screen at the two-year review; children below the threshold were offered a six-week parent and child language group at their local children’s centre.',
    groups: ['poorer-socio-economic-groups', 'not-fluent-in-english'], outcomes: ['enjoy-and-achieve'], threads: ['GT02', 'GT05'], statements: ['T1-FRONTLINE-UNIVERSAL-01'], settings: ['childrens-centre', 'health'], tiers: ['universal', 'targeted'], ages: [2, 3], la: manchester, cost: 60, months: 36, design: 'randomised',
    results: [effect('Expressive language score', 'Children screened below threshold', 420, 0.31, 0.12, 0.5), effect('Receptive language score', 'Children screened below threshold', 420, 0.22, 0.03, 0.41), effect('Expressive language score, one year later', 'Same children at three', 380, 0.18, -0.02, 0.38)],
    wrong: 'Families who moved often missed the groups; a text reminder the day before helped.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 340 },
    title: 'A single lead professional for every child in need', summary: 'Every child in need has one named lead professional who holds the plan and is the family’s first contact.',
    problem: 'Families told us they repeated their story to many professionals and nobody held the whole picture.',
    did: 'We agreed across the Children’s Trust that each child in need has a named lead professional from the agency best placed, trained in a shared way of working and supported by a practice lead.',
    groups: ['at-risk-of-significant-harm', 'living-with-vulnerable-adults'], outcomes: ['stay-safe'], threads: ['GT04', 'GT06'], statements: ['T2-FRONTLINE-TARGETED-01'], settings: ['multi-agency', 'social-care'], tiers: ['targeted', 'complex'], ages: [0, 17], la: leeds, cost: 420, months: 24, design: 'comparison',
    results: [counts('Re-referral to social care within 12 months', 'Children in need', 310, 41, 295, 62, false)],
    wrong: 'Schools were reluctant to take the role until they had protected time and a named contact in social care.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'emerging', strength: 2, daysAgo: 320 },
    title: 'Young carers’ lunchtime drop-in', summary: 'A weekly lunchtime drop-in in secondary schools where young carers meet each other and a young carers’ worker.',
    problem: 'Young carers were hard to identify and often hid their caring role from school.',
    did: 'A young carers’ worker ran a weekly lunchtime drop-in in each secondary school, with a quiet room, food, and help with homework deadlines.',
    groups: ['young-carers'], outcomes: ['enjoy-and-achieve', 'be-healthy'], threads: ['GT01'], settings: ['secondary', 'voluntary-community'], tiers: ['targeted'], ages: [11, 16], la: wakefield, cost: 70, months: 18, design: 'before-after',
    results: [means('Wellbeing score (WEMWBS)', 'Young carers attending', 38, 47.2, 7.9, 38, 43.6, 8.3)],
    wrong: 'Some carers could not stay for lunch because they went home to check on a parent; an after-school slot helped.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 300 },
    title: 'Nurture groups for pupils at risk of exclusion', summary: 'Small nurture groups for part of each day for pupils whose behaviour puts them at risk of exclusion.',
    problem: 'Fixed-period exclusions were rising among pupils with social, emotional and mental health needs.',
    did: 'Two trained staff ran a nurture group of up to ten pupils each morning, with pupils back in class for the afternoon and a plan agreed with parents.',
    groups: ['excluded-from-school', 'children-with-sen'], outcomes: ['enjoy-and-achieve', 'make-a-positive-contribution'], threads: ['GT03'], settings: ['primary'], tiers: ['targeted'], ages: [5, 11], la: birmingham, cost: 650, months: 24, design: 'comparison',
    results: [counts('Pupils with a suspension in the year', 'Pupils in nurture groups', 64, 9, 70, 21, false)],
    wrong: 'Pupils lost ground in afternoon lessons at first; class teachers now get the nurture plan.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 280 },
    title: 'Maths catch-up tutoring in small groups', summary: 'Trained tutors teach groups of three for 12 weeks to pupils behind in maths in Year 6.',
    problem: 'Disadvantaged pupils were much less likely to reach the expected standard in maths at the end of primary school.',
    did: 'Trained tutors taught groups of three pupils three times a week for twelve weeks, using a structured programme linked to the class teacher’s plans.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], threads: ['GT03'], settings: ['primary'], tiers: ['targeted'], ages: [10, 11], la: nottingham, cost: 280, months: 12, design: 'randomised',
    results: [means('Maths test score', 'Year 6 pupils eligible for free school meals', 140, 103.4, 14.1, 138, 99.2, 14.8), means('Maths test score', 'Year 6 pupils not eligible', 96, 104.0, 13.2, 101, 101.8, 13.9)],
    wrong: 'Timetabling tutoring in lesson time meant pupils missed other subjects; we moved it to registration and assembly times.',
  },
  {
    by: 'contributor', fate: { kind: 'published', grade: 'emerging', strength: 1, daysAgo: 260 },
    title: 'Family cooking sessions at the community centre', summary: 'Six-week cooking sessions for parents and children together, using low-cost ingredients.',
    problem: 'Families on low incomes told us they struggled to cook healthy meals on a budget.',
    did: 'A community cook ran six weekly sessions for parents and children together, each family taking home ingredients to cook the same meal again.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['be-healthy'], threads: ['GT05'], settings: ['voluntary-community', 'childrens-centre'], tiers: ['universal'], ages: [5, 11], la: cornwall, cost: 45, months: 6, design: 'none',
    results: [],
    wrong: 'Evening sessions clashed with shift work; we added a Saturday morning group.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 240 },
    title: 'Education, health and care plans reviewed with the young person', summary: 'Annual reviews of EHC plans led by the young person, with outcomes written in their words.',
    problem: 'Young people with special educational needs said their reviews were about them but not with them, and plans did not change what happened in lessons.',
    did: 'We trained SENCOs to run person-centred reviews in which the young person presents first and outcomes are written in their own words, with a one-page profile for every teacher.',
    groups: ['children-with-sen', 'children-with-disabilities'], outcomes: ['make-a-positive-contribution', 'enjoy-and-achieve'], threads: ['GT07'], settings: ['secondary', 'special'], tiers: ['complex', 'specialist'], ages: [11, 19], la: kent, cost: 120, months: 24, design: 'comparison',
    results: [counts('In education, employment or training a year after Year 11', 'Young people with EHC plans', 180, 162, 175, 139)],
    wrong: 'Reviews took longer at first; schools needed cover for the SENCO.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'promising', strength: 2, daysAgo: 220 },
    title: 'Welcome mentors for newly arrived families', summary: 'Trained volunteers who speak the family’s language help newly arrived refugee families through their first term.',
    problem: 'Children of refugee and asylum-seeking families often waited weeks for a school place and families did not know how to get help.',
    did: 'Volunteers speaking the family’s language met each newly arrived family within a week, helped with school admission and GP registration, and checked in weekly for a term.',
    groups: ['asylum-seekers-refugees', 'not-fluent-in-english'], outcomes: ['enjoy-and-achieve', 'stay-safe'], threads: ['GT06'], settings: ['voluntary-community', 'local-authority'], tiers: ['targeted'], ages: [0, 17], la: newcastle, cost: 130, months: 12, design: 'before-after',
    results: [means('Days from arrival to starting school', 'Children of newly arrived families', 45, 19, 8, 41, 34, 12, false)],
    wrong: 'Volunteers needed more support than we expected with what they heard from families.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 200 },
    title: 'Attendance caseworkers for persistent absence', summary: 'A caseworker works with each family of a persistently absent pupil to remove the barriers to attendance.',
    problem: 'Persistent absence rose sharply and fines had little effect on the families most affected.',
    did: 'Attendance caseworkers met each family of a persistently absent pupil at home, agreed a plan with the school, and linked the family to early help where needed.',
    groups: ['poor-attendance', 'poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], threads: ['GT01', 'GT04'], settings: ['secondary', 'local-authority'], tiers: ['targeted'], ages: [11, 16], la: leeds, cost: 380, months: 12, design: 'comparison',
    results: [means('Attendance (% of sessions)', 'Persistently absent pupils', 220, 84.6, 9.8, 214, 80.9, 11.2)],
    wrong: 'Caseloads grew too large in the winter term; we set a cap of 25 families.',
  },
  {
    by: 'regional-adviser', fate: { kind: 'published', grade: 'emerging', strength: 2, daysAgo: 180 },
    title: 'Youth justice restorative conferences', summary: 'Restorative conferences bringing young offenders together with those they harmed, with family support afterwards.',
    problem: 'First-time entrants to the youth justice system were reoffending within a year more often than nationally.',
    did: 'The youth justice service offered restorative conferences for first-time offenders, with a family support worker for three months afterwards.',
    groups: ['young-offenders'], outcomes: ['make-a-positive-contribution', 'stay-safe'], threads: ['GT08'], settings: ['youth', 'multi-agency'], tiers: ['complex'], ages: [10, 17], la: bristol, cost: 900, months: 18, design: 'comparison',
    results: [counts('Reoffended within 12 months', 'First-time entrants', 84, 19, 90, 31, false)],
    wrong: 'Some victims did not want to take part; shuttle mediation was offered instead.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 160 },
    title: 'Speech and language therapy in the classroom', summary: 'A speech and language therapist works in reception classes, training staff and running small groups.',
    problem: 'Children with speech and language needs waited months for a clinic appointment and support did not carry into the classroom.',
    did: 'A speech and language therapist spent a day a week in each school’s reception classes, coaching staff and running small groups with the children who needed them.',
    groups: ['children-with-sen', 'not-fluent-in-english'], outcomes: ['enjoy-and-achieve'], threads: ['GT02'], settings: ['primary', 'health'], tiers: ['universal', 'targeted'], ages: [4, 5], la: birmingham, cost: 210, months: 12, design: 'randomised',
    results: [effect('Language composite score', 'Reception children with identified needs', 264, 0.27, 0.08, 0.46)],
    wrong: 'Staff turnover meant some coaching was lost; we now record short videos of the strategies.',
  },
  {
    by: 'contributor', fate: { kind: 'published', grade: 'emerging', strength: 1, daysAgo: 150 },
    title: 'Parent peer supporters for families with a disabled child', summary: 'Parents of disabled children trained to support other parents after diagnosis.',
    problem: 'Parents told us the months after their child’s diagnosis were the loneliest and most confusing.',
    did: 'Parents with experience were trained as peer supporters and matched with families soon after diagnosis, meeting monthly for six months.',
    groups: ['children-with-disabilities'], outcomes: ['be-healthy', 'stay-safe'], threads: ['GT06'], settings: ['voluntary-community', 'health'], tiers: ['targeted'], ages: [0, 11], la: norfolk, cost: 60, months: 12, design: 'none',
    results: [],
    wrong: 'Matching took too long at first; we now match within two weeks.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 140 },
    title: 'Domestic abuse notifications to schools the next morning', summary: 'Schools hear before the start of the next school day when police attend a domestic abuse incident at a pupil’s home.',
    problem: 'Children arrived at school after a night of domestic abuse and staff did not know.',
    did: 'Police share a notification with the school’s designated safeguarding lead before 9am after any domestic abuse incident where a pupil lives, so a trusted adult can check in.',
    groups: ['living-with-vulnerable-adults', 'at-risk-of-significant-harm'], outcomes: ['stay-safe', 'be-healthy'], threads: ['GT04'], settings: ['primary', 'secondary', 'multi-agency'], tiers: ['targeted', 'complex'], ages: [4, 16], la: camden, cost: 5, months: 24, design: 'before-after',
    results: [means('Attendance on the day after an incident (%)', 'Pupils in notified households', 160, 88.2, 20.1, 150, 79.5, 25.6)],
    wrong: 'Notifications over holidays went unread; they now also go to the school’s duty inbox.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'validated', strength: 5, daysAgo: 130 },
    title: 'Intensive family support before a child becomes looked after', summary: 'An intensive, time-limited family support service for families where a child is on the edge of care.',
    problem: 'Too many adolescents came into care in a crisis that intensive support might have prevented.',
    did: 'A specialist team worked with each family for up to 12 weeks, with practitioners available in the evenings and at weekends, and a single plan with the social worker.',
    groups: ['at-risk-of-significant-harm', 'children-in-care'], outcomes: ['stay-safe'], threads: ['GT04', 'GT09'], settings: ['social-care'], tiers: ['complex', 'specialist'], ages: [11, 17], la: kent, cost: 2400, months: 36, design: 'randomised',
    results: [counts('Came into care within 12 months', 'Adolescents on the edge of care', 150, 27, 146, 44, false), counts('Came into care within 12 months', 'Replication in a second area', 122, 25, 118, 35, false)],
    wrong: 'Evening cover was hard to staff; we pooled the rota with the emergency duty team.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'promising', strength: 2, daysAgo: 120 },
    title: 'Transition summer school for vulnerable Year 6 pupils', summary: 'A two-week summer school at the secondary school for pupils whose move to Year 7 is likely to be hard.',
    problem: 'Pupils with SEN and children in care were much more likely to be excluded or absent in Year 7.',
    did: 'Secondary schools ran a two-week summer school for vulnerable Year 6 pupils, with the tutors and mentors they would meet in September.',
    groups: ['children-with-sen', 'children-in-care', 'excluded-from-school'], outcomes: ['enjoy-and-achieve', 'make-a-positive-contribution'], threads: ['GT10'], settings: ['secondary'], tiers: ['targeted'], ages: [10, 12], la: manchester, cost: 300, months: 3, design: 'comparison',
    results: [means('Attendance in Year 7 autumn term (%)', 'Vulnerable pupils', 88, 93.2, 6.4, 92, 90.7, 8.8)],
    wrong: 'Transport was the biggest barrier; a minibus pick-up doubled attendance.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'emerging', strength: 2, daysAgo: 110 },
    title: 'English as an additional language welcome packs', summary: 'A welcome pack and buddy scheme for pupils new to English joining mid-year.',
    problem: 'Pupils joining mid-year with little English were isolated and took a long time to settle.',
    did: 'Each new pupil received a visual welcome pack, a buddy who shared their language where possible, and a weekly check with the EAL coordinator for a term.',
    groups: ['not-fluent-in-english', 'ethnic-minority-backgrounds'], outcomes: ['enjoy-and-achieve', 'make-a-positive-contribution'], threads: ['GT05'], settings: ['primary', 'secondary'], tiers: ['universal'], ages: [5, 16], la: bradford, cost: 25, months: 12, design: 'before-after',
    results: [means('Sense of belonging score', 'Pupils new to English', 34, 3.9, 0.7, 34, 3.3, 0.8)],
    wrong: 'Buddies sharing a language were not always available; we recruited older pupils across the trust.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 100 },
    title: 'Virtual school personal education plans with targets that move', summary: 'Termly personal education plan meetings with measurable targets and funding tied to them.',
    problem: 'Personal education plans for children in care were completed but rarely changed what happened for the child.',
    did: 'The virtual school quality-assured every plan termly, tied pupil premium plus funding to specific targets, and followed up any target not met.',
    groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'], threads: ['GT03', 'GT09'], settings: ['local-authority', 'primary', 'secondary'], tiers: ['complex'], ages: [4, 16], la: wakefield, cost: 180, months: 36, design: 'comparison',
    results: [counts('Reached the expected standard in reading, writing and maths', 'Children in care at the end of Key Stage 2', 72, 29, 70, 18)],
    wrong: 'Schools outside the county engaged less; we now visit them in the first term.',
  },
  {
    by: 'contributor', fate: { kind: 'published', grade: 'emerging', strength: 1, daysAgo: 90 },
    title: 'Football and mentoring for young people at risk', summary: 'Weekly football sessions with a mentor for young people referred by schools and youth justice.',
    problem: 'Young people at risk of offending had few positive things to do in the evenings.',
    did: 'A local football club ran weekly sessions with trained mentors, linking young people to education and training opportunities.',
    groups: ['young-offenders', 'excluded-from-school'], outcomes: ['make-a-positive-contribution', 'achieve-economic-well-being'], threads: ['GT08'], settings: ['voluntary-community', 'youth'], tiers: ['targeted'], ages: [12, 18], la: newcastle, cost: 110, months: 12, design: 'none',
    results: [],
    wrong: 'Attendance fell in winter; an indoor venue kept it up.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 80 },
    title: 'Careers guidance for young people with SEN from Year 8', summary: 'Personal careers guidance and work tasters for young people with SEN from Year 8 onwards.',
    problem: 'Young people with SEN were twice as likely not to be in education, employment or training at 17.',
    did: 'Careers advisers met each young person with SEN from Year 8, arranged work tasters with local employers, and planned post-16 transition with the family.',
    groups: ['children-with-sen'], outcomes: ['achieve-economic-well-being'], threads: ['GT10'], settings: ['secondary', 'special', 'further-education'], tiers: ['targeted'], ages: [12, 18], la: nottingham, cost: 240, months: 36, design: 'comparison',
    results: [counts('In education, employment or training at 17', 'Young people with SEN', 205, 184, 198, 160)],
    wrong: 'Employers dropped out after the first year; a brokerage role kept them engaged.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'promising', strength: 2, daysAgo: 70 },
    title: 'Health checks for children in care within 20 days', summary: 'A named nurse makes sure every child coming into care has their initial health assessment within 20 working days.',
    problem: 'Initial health assessments for children in care were often late and missed unmet health needs.',
    did: 'A named nurse tracked every new entry to care daily, booked the assessment at placement, and followed up with the carer and GP.',
    groups: ['children-in-care'], outcomes: ['be-healthy'], threads: ['GT09'], settings: ['health', 'social-care'], tiers: ['specialist'], ages: [0, 17], la: camden, cost: 90, months: 12, design: 'before-after',
    results: [counts('Initial health assessment within 20 working days', 'Children coming into care', 130, 112, 124, 69)],
    wrong: 'Out-of-area placements were the hardest; we agreed a reciprocal arrangement with neighbours.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 60 },
    title: 'Joint commissioning of early help through the Children’s Trust', summary: 'Partners pooled early help budgets and commissioned services against shared outcome measures.',
    problem: 'Early help was commissioned separately by each partner, with gaps and overlaps and no shared view of outcomes.',
    did: 'The Children’s Trust board pooled early help budgets, agreed outcome measures for each vulnerable group, and commissioned services against them with quarterly review.',
    groups: ['poorer-socio-economic-groups', 'living-with-vulnerable-adults', 'at-risk-of-significant-harm'], outcomes: ['stay-safe', 'be-healthy', 'enjoy-and-achieve'], threads: ['GT06', 'GT09'], statements: ['T5-GC-01'], settings: ['local-authority', 'multi-agency'], tiers: ['universal', 'targeted', 'complex'], ages: [0, 19], la: leeds, cost: 0, months: 48, design: 'comparison',
    results: [counts('Children becoming subject to a child protection plan', 'Children known to early help', 1200, 96, 1150, 127, false)],
    wrong: 'Partners disagreed on shared measures for a year; an independent chair helped.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'emerging', strength: 2, daysAgo: 50 },
    title: 'Play-based outreach to Gypsy, Roma and Traveller families', summary: 'Outreach workers take play sessions to sites and invite families to the children’s centre.',
    problem: 'Few Gypsy, Roma and Traveller children attended early education.',
    did: 'Outreach workers ran weekly play sessions on sites, built trust with families, and accompanied them on their first visits to the children’s centre.',
    groups: ['ethnic-minority-backgrounds', 'poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve', 'be-healthy'], threads: ['GT05'], settings: ['childrens-centre', 'early-years'], tiers: ['targeted'], ages: [0, 5], la: cornwall, cost: 160, months: 24, design: 'before-after',
    results: [counts('Took up a funded early education place', 'Eligible children on sites', 40, 26, 38, 11)],
    wrong: 'Families moved on before places started; we now offer places from any month.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 40 },
    title: 'Counselling in school for pupils after bereavement or trauma', summary: 'School-based counselling with a fast referral route for pupils after bereavement or trauma.',
    problem: 'Pupils waited months for child and adolescent mental health services after a bereavement or traumatic event.',
    did: 'Counsellors based in secondary schools took referrals within a week, offering up to twelve sessions and linking with specialist services where needed.',
    groups: ['at-risk-of-significant-harm', 'living-with-vulnerable-adults', 'young-carers'], outcomes: ['be-healthy'], threads: ['GT01'], settings: ['secondary', 'health'], tiers: ['targeted'], ages: [11, 18], la: bristol, cost: 520, months: 24, design: 'comparison',
    results: [means('Strengths and Difficulties total (lower is better)', 'Pupils referred', 96, 13.1, 5.9, 90, 15.4, 6.2, false)],
    wrong: 'Confidentiality worries stopped some referrals; we agreed a clear protocol with staff.',
  },
  {
    by: 'contributor', fate: { kind: 'published', grade: 'emerging', strength: 1, daysAgo: 30 },
    title: 'Homework club in the public library', summary: 'A staffed homework club in the library with computers, printing and volunteers.',
    problem: 'Children without a quiet place or a computer at home fell behind with homework.',
    did: 'The library opened a staffed homework club three evenings a week, with volunteer helpers and free printing.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], threads: ['GT05'], settings: ['voluntary-community'], tiers: ['universal'], ages: [8, 16], la: norfolk, cost: 15, months: 12, design: 'none',
    results: [],
    wrong: 'Volunteers were hard to keep; a partnership with the sixth form college helped.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 25 },
    title: 'Family group conferences for children on child protection plans', summary: 'Independent coordinators bring the wider family together to make a plan for the child.',
    problem: 'Plans for children at risk relied on professionals, and wider family who could help were not involved.',
    did: 'Independent coordinators offered a family group conference to every family of a child on a child protection plan, preparing each family member beforehand.',
    groups: ['at-risk-of-significant-harm'], outcomes: ['stay-safe'], threads: ['GT06'], settings: ['social-care'], tiers: ['complex'], ages: [0, 17], la: kent, cost: 950, months: 24, design: 'comparison',
    results: [counts('Came into care within 12 months', 'Children on child protection plans', 140, 18, 136, 29, false)],
    wrong: 'Some families only agreed after several conversations; coordinators needed time for that.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'validated', strength: 4, daysAgo: 20 },
    title: 'Phonics catch-up for Year 2 pupils who did not pass the screening check', summary: 'A daily 15-minute phonics catch-up for Year 2 pupils who did not meet the standard in the phonics screening check.',
    problem: 'Disadvantaged pupils were less likely to pass the phonics screening check and the gap grew through Key Stage 1.',
    did: 'Trained teaching assistants delivered a daily 15-minute phonics session to groups of four through the autumn and spring terms of Year 2.',
    groups: ['poorer-socio-economic-groups', 'children-with-sen'], outcomes: ['enjoy-and-achieve'], threads: ['GT03'], settings: ['primary'], tiers: ['targeted'], ages: [6, 7], la: manchester, cost: 75, months: 8, design: 'randomised',
    results: [effect('Phonics check retake score', 'Year 2 pupils who did not pass in Year 1', 310, 0.36, 0.14, 0.58), effect('Reading comprehension at the end of Year 2', 'Same pupils', 300, 0.19, -0.04, 0.42)],
    wrong: 'Sessions were dropped when staff were covering classes; protecting the slot mattered most.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'promising', strength: 2, daysAgo: 15 },
    title: 'Apprenticeships ring-fenced for care leavers', summary: 'The council and partners ring-fence apprenticeships for care leavers, with a mentor for the first year.',
    problem: 'Care leavers were far more likely to be not in education, employment or training.',
    did: 'The council and its partners ring-fenced apprenticeships for care leavers, guaranteed an interview, and provided a workplace mentor for the first year.',
    groups: ['children-in-care'], outcomes: ['achieve-economic-well-being'], threads: ['GT10'], settings: ['local-authority', 'further-education'], tiers: ['specialist'], ages: [16, 21], la: wakefield, cost: 1300, months: 36, design: 'before-after',
    results: [counts('In education, employment or training at 19', 'Care leavers', 65, 44, 61, 30)],
    wrong: 'Some apprentices left in the first month; earlier work tasters helped them choose.',
  },
  {
    by: 'setting-leader', fate: { kind: 'published', grade: 'emerging', strength: 2, daysAgo: 10 },
    title: 'Sensory circuits before school for pupils with autism', summary: 'A short sensory circuit each morning helps pupils with autism settle to learn.',
    problem: 'Pupils with autism often arrived dysregulated and missed the first lesson.',
    did: 'Staff ran a ten-minute sensory circuit each morning for pupils who needed it, designed with the occupational therapy service.',
    groups: ['children-with-disabilities', 'children-with-sen'], outcomes: ['be-healthy', 'enjoy-and-achieve'], threads: ['GT02'], settings: ['primary', 'special'], tiers: ['targeted'], ages: [4, 11], la: nottingham, cost: 20, months: 12, design: 'before-after',
    results: [means('Minutes of first lesson missed per week', 'Pupils with autism', 22, 18, 14, 22, 46, 25, false)],
    wrong: 'It needed a space that was free every morning; the hall was not always available.',
  },
  {
    by: 'analyst', fate: { kind: 'published', grade: 'promising', strength: 3, daysAgo: 8 },
    title: 'Targeted youth work in neighbourhoods with high exclusion rates', summary: 'Detached youth workers in the neighbourhoods with the highest exclusion rates, linked to schools.',
    problem: 'Permanent exclusions were concentrated in a few neighbourhoods and young people there had little contact with youth services.',
    did: 'Detached youth workers worked evenings in the neighbourhoods, met school pastoral leads weekly, and offered mentoring to young people at risk.',
    groups: ['excluded-from-school', 'young-offenders', 'poorer-socio-economic-groups'], outcomes: ['make-a-positive-contribution', 'stay-safe'], threads: ['GT08'], settings: ['youth'], tiers: ['targeted'], ages: [11, 18], la: birmingham, cost: 340, months: 24, design: 'comparison',
    results: [counts('Permanently excluded in the year', 'Young people worked with', 170, 6, 182, 15, false)],
    wrong: 'Sharing information with schools needed a clear agreement before it worked.',
  },
  {
    by: 'practitioner', fate: { kind: 'published', grade: 'emerging', strength: 1, daysAgo: 5 },
    title: 'Interpreted parents’ evenings', summary: 'Booked interpreters at parents’ evenings for families who speak little English.',
    problem: 'Parents who spoke little English rarely came to parents’ evenings.',
    did: 'Schools asked families their language at admission and booked interpreters for parents’ evenings, with translated invitations.',
    groups: ['not-fluent-in-english', 'ethnic-minority-backgrounds'], outcomes: ['enjoy-and-achieve'], threads: ['GT05'], settings: ['primary', 'secondary'], tiers: ['universal'], ages: [4, 16], la: bradford, cost: 8, months: 12, design: 'before-after',
    results: [counts('Parent attended a parents’ evening', 'Families who speak little English', 90, 61, 88, 32)],
    wrong: 'Interpreters were booked too late for the first evening; a termly booking fixed it.',
  },
  {
    by: 'leader', fate: { kind: 'published', grade: 'validated', strength: 3, daysAgo: 3 },
    title: 'A shared outcomes framework reported to the Children’s Trust board', summary: 'The board reviews the gap for each vulnerable group every quarter and asks partners to account for the curves they turn.',
    problem: 'The Children’s Trust board saw averages that hid the gaps for vulnerable groups.',
    did: 'Analysts reported the gap for each vulnerable group on each outcome every quarter; each partner presented the turn-the-curve plan for one gap at each meeting.',
    groups: ['poorer-socio-economic-groups', 'children-in-care', 'children-with-sen'], outcomes: ['enjoy-and-achieve', 'stay-safe', 'be-healthy'], threads: ['GT09'], settings: ['local-authority', 'multi-agency'], tiers: ['universal'], ages: [0, 19], la: leeds, cost: 0, months: 36, design: 'before-after',
    results: [effect('Gap in attainment at 16 (standardised)', 'Disadvantaged pupils against the rest', 2400, 0.08, 0.02, 0.14)],
    wrong: 'Reports were too long at first; one page per group worked better.',
  },
  // In moderation, in each state.
  {
    by: 'contributor', fate: { kind: 'submitted' },
    title: 'Walking bus to school from the estate', summary: 'Parent volunteers walk children from the estate to school each morning.',
    problem: 'Children from the estate were often late or absent because the walk to school crossed a busy road.',
    did: 'Parent volunteers, trained and checked, ran a walking bus each morning from two pick-up points on the estate.',
    groups: ['poor-attendance', 'poorer-socio-economic-groups'], outcomes: ['stay-safe', 'enjoy-and-achieve'], threads: ['GT01'], settings: ['primary', 'voluntary-community'], tiers: ['universal'], ages: [4, 11], la: leeds, cost: 10, months: 12, design: 'before-after',
    results: [means('Attendance (% of sessions)', 'Children using the walking bus', 28, 95.0, 4.1, 28, 92.2, 5.5)],
    wrong: 'Volunteers dropped out in winter; a rota of twelve kept it going.',
  },
  {
    by: 'practitioner', fate: { kind: 'submitted' },
    title: 'Key worker for a boy in care after a school move', summary: 'A key worker supported one boy through a school move after a placement change.',
    problem: 'A boy called Tyler Jones, born 14/03/2014, had moved school three times in a year.',
    did: 'His key worker met him every morning for the first month at his new school and agreed a plan with his carers.',
    groups: ['children-in-care'], outcomes: ['enjoy-and-achieve'], threads: ['GT03'], settings: ['primary'], tiers: ['complex'], ages: [9, 11], la: leeds, cost: 400, months: 6, design: 'none',
    results: [],
    wrong: 'It depended on one person; when she was ill the support stopped.',
  },
  {
    by: 'analyst', fate: { kind: 'submitted' },
    title: 'Summer holiday activities with food for families on free school meals', summary: 'Holiday activities with a hot meal for children eligible for free school meals.',
    problem: 'Children on free school meals went hungry and inactive over the summer holidays.',
    did: 'Community providers ran four days a week of activities with a hot meal for four weeks of the summer.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['be-healthy'], threads: ['GT05'], settings: ['voluntary-community'], tiers: ['universal', 'targeted'], ages: [5, 16], la: wakefield, cost: 140, months: 2, design: 'none',
    results: [],
    wrong: 'Older children did not come; they asked for different activities.',
  },
  {
    by: 'leader', fate: { kind: 'in-review' },
    title: 'Restorative practice across a secondary school', summary: 'Whole-school training in restorative practice to reduce exclusions.',
    problem: 'Exclusions for persistent disruptive behaviour were rising.',
    did: 'All staff were trained in restorative conversations and the behaviour policy was rewritten around repairing harm.',
    groups: ['excluded-from-school'], outcomes: ['make-a-positive-contribution'], threads: ['GT08'], settings: ['secondary'], tiers: ['universal'], ages: [11, 16], la: manchester, cost: 35, months: 24, design: 'before-after',
    results: [counts('Pupils with a suspension in the year', 'All pupils', 1100, 88, 1080, 131, false)],
    wrong: 'Some staff saw it as soft; sharing the figures each term won them round.',
  },
  {
    by: 'setting-leader', fate: { kind: 'half-reviewed' },
    title: 'Early years outdoor learning for children with speech delay', summary: 'Outdoor sessions designed to build talk for children with speech delay.',
    problem: 'Children with speech delay spoke little in the nursery room.',
    did: 'Practitioners ran outdoor sessions twice a week designed around shared attention and talk.',
    groups: ['children-with-sen'], outcomes: ['enjoy-and-achieve'], threads: ['GT02'], settings: ['early-years'], tiers: ['targeted'], ages: [3, 4], la: bradford, cost: 30, months: 6, design: 'before-after',
    results: [means('Words used in a ten-minute observation', 'Children with speech delay', 18, 42, 15, 18, 27, 13)],
    wrong: 'Bad weather cancelled sessions; we bought waterproofs.',
  },
  {
    by: 'practitioner', fate: { kind: 'awaiting-decision' },
    title: 'Mentoring for young carers at the move to college', summary: 'Mentors support young carers through their first year at college.',
    problem: 'Young carers were more likely to drop out of college in the first year.',
    did: 'Trained mentors met each young carer fortnightly through the first year of college and liaised with tutors.',
    groups: ['young-carers'], outcomes: ['achieve-economic-well-being'], threads: ['GT10'], settings: ['further-education'], tiers: ['targeted'], ages: [16, 18], la: wakefield, cost: 260, months: 12, design: 'comparison',
    results: [counts('Still on course at the end of the year', 'Young carers at college', 44, 38, 40, 27)],
    wrong: 'Colleges did not always know who the young carers were.',
  },
  {
    by: 'analyst', fate: { kind: 'awaiting-decision' },
    title: 'Data sharing to find children missing education', summary: 'Matching health, housing and school rolls to find children missing education.',
    problem: 'Children missing education were found late, often through a crisis.',
    did: 'With an agreed protocol, analysts matched health registrations and housing records against school rolls monthly.',
    groups: ['poor-attendance', 'at-risk-of-significant-harm'], outcomes: ['stay-safe', 'enjoy-and-achieve'], threads: ['GT04'], settings: ['local-authority'], tiers: ['universal'], ages: [5, 16], la: leeds, cost: 3, months: 12, design: 'before-after',
    results: [means('Weeks before a missing child was found', 'Children missing education', 35, 3.1, 2.2, 31, 9.4, 6.0, false)],
    wrong: 'The first protocol took six months to agree.',
  },
  {
    by: 'contributor', fate: { kind: 'returned' },
    title: 'Drama workshops for young people in care', summary: 'Weekly drama workshops for young people in care.',
    problem: 'Young people in care said they had few chances to be heard.',
    did: 'A theatre company ran weekly workshops ending in a performance for carers and councillors.',
    groups: ['children-in-care'], outcomes: ['make-a-positive-contribution'], threads: ['GT07'], settings: ['voluntary-community'], tiers: ['targeted'], ages: [12, 17], la: bristol, cost: 200, months: 6, design: 'none',
    results: [],
    wrong: 'Transport to the venue was difficult for young people placed out of area.',
  },
  {
    by: 'contributor', fate: { kind: 'rejected' },
    title: 'Selling branded stationery to schools', summary: 'A stationery range schools can buy for pupils.',
    problem: 'Schools need stationery.',
    did: 'We offer a discount on our stationery range.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], threads: [], settings: ['primary'], tiers: ['universal'], ages: [4, 11], la: kent, cost: 5, months: 12, design: 'none',
    results: [],
    wrong: 'Nothing went wrong.',
  },
  {
    by: 'contributor', fate: { kind: 'draft' },
    title: 'After-school science club for girls', summary: 'A science club for girls in Years 5 and 6.',
    problem: 'Few girls chose science options later.',
    did: 'A STEM ambassador ran a weekly club.',
    groups: ['poorer-socio-economic-groups'], outcomes: ['enjoy-and-achieve'], threads: [], settings: ['primary'], tiers: ['universal'], ages: [9, 11], la: newcastle, cost: 40, months: 12, design: 'none',
    results: [],
    wrong: '',
  },
];

export const demoPracticeItems: readonly DemoPracticeItem[] = outlines.map((outline, index) => ({ by: outline.by, fate: outline.fate, content: contentOf(outline, index) }));

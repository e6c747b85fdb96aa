/**
 * The demo's improvement plan (fictional): the demo authority's Children and Young People's Plan for
 * the current period, with six priorities built from its demo gaps and self-assessment, actions in
 * every status (two of them overdue), success measures on its real gaps, and the authority's
 * turn-the-curve plans, when it has any, inside the priorities they serve.
 *
 * It is written through the same service people use (src/plans/service.ts), as the demo leader and
 * analyst: the plan is started, the top suggested priorities are chosen from the evidence (up to
 * three about groups of children and two about golden threads), the rest are written priorities
 * linked to threads, statements, gaps and published practice; measures halve or cut by a third the
 * gaps they follow; actions are owned by members of the authority and by its partner organisations
 * and settings, and their progress is logged. Everything is dated from the real today, so that
 * exactly two actions are overdue when the demo is loaded: the changes are made in date order and
 * their log entries and revisions are then dated as the story tells them.
 */
import type { Kysely } from 'kysely';
import { localAuthorityByGss } from '../areas/areas.js';
import { AssessmentService } from '../assessment/service.js';
import { demoAuthorityCode, demoSettingName } from '../auth/demo.js';
import type { Viewer } from '../auth/gate.js';
import { membershipsOf } from '../auth/sessions.js';
import { addPartner } from '../auth/settings-admin.js';
import type { Schema } from '../db/schema.js';
import type { Catalogue } from '../framework/catalogue.js';
import { loadCatalogue } from '../framework/catalogue.js';
import { statementsAt } from '../framework/revisions.js';
import { formatAcademicYear, parseAcademicYear } from '../ingest/child-standard.js';
import { listPlans as listCurvePlans } from '../plans/curve/store.js';
import { figureOf, measureSeries } from '../plans/measures.js';
import type { ImprovementPlan, Priority, PriorityLink } from '../plans/model.js';
import type { PlanSuggestion, Refusal } from '../plans/service.js';
import { ImprovementPlanService, isRefusal } from '../plans/service.js';
import { isoDateIn } from '../web/format.js';
import type { ImprovementActionStatus } from '../plans/tables.js';

type SignedIn = Extract<Viewer, { signedIn: true }>;

/** How many priorities the demo plan has, and how many of them come from suggestions of each kind. */
const priorityCount = 6;
const groupSuggestions = 3;
const threadSuggestions = 2;

/** The demo's partner organisations (fictional), added by the demo authority admin when they are missing. */
export const demoPartnerNames = { health: 'Leeds Health Visiting Service', voluntary: 'Leeds Voluntary Sector Children’s Forum', youthJustice: 'Leeds Youth Justice Service' } as const;

/** Who carries an action: a demo account of the authority, a partner organisation, or the demo school. */
type OwnerKey = 'leader' | 'analyst' | 'practitioner' | 'health' | 'voluntary' | 'youth-justice' | 'school';

/** An action as the demo writes it: its owner, title, and what its updates say when it goes well, when it goes badly, and when it is done. */
type ActionText = readonly [owner: OwnerKey, title: string, progress: string, concern: string, done: string];

/** Three actions for each group of children a suggested priority may be about. */
const groupActions: Readonly<Record<string, readonly ActionText[]>> = {
  'poorer-socio-economic-groups': [
    ['leader', 'Small-group tutoring in English and maths for disadvantaged pupils in the 20 secondary schools with the widest gaps', 'Tutoring running in 14 of the 20 schools; disadvantaged pupils attend 85% of sessions.', 'Six schools have not found maths tutors; sessions there will start late and the spring term is at risk.', 'Tutoring in place in all 20 schools; the evaluation is with the school improvement team.'],
    ['school', 'Free breakfast club with a daily check-in, piloted at Chapel Fold Primary School before the other primaries in the most deprived neighbourhoods', 'The club opened in September; 70 pupils a day, two thirds of them eligible for free school meals.', 'Funding for the second year is not yet agreed, so other schools have not committed to the roll-out.', 'Pilot evaluated: punctuality up and fewer late marks; the model is written up for other schools.'],
    ['practitioner', 'Attendance caseworkers for disadvantaged pupils who are persistently absent', 'Caseworkers hold 120 cases; half the pupils have improved their attendance by at least five points.', 'Caseloads have grown past 40 a worker after the summer; new referrals wait three weeks.', 'Every persistently absent disadvantaged pupil in the pilot schools has a caseworker and a plan.'],
  ],
  'children-in-care': [
    ['practitioner', 'Virtual school reviews every personal education plan each term, with targets that move', 'Termly reviews done for 92% of children in care of school age; targets are now set with the child.', 'Reviews for children placed outside Leeds are behind: 31 are overdue.', 'Every personal education plan reviewed this term; the audit found targets that moved in 8 of 10.'],
    ['leader', 'No child in care moves school in the school year unless it is in their best interest', 'Placement moves now need the virtual school head’s agreement on school; two mid-year moves this term, both agreed.', 'A shortage of local foster placements has led to four unplanned school moves since September.', 'The protocol is agreed with the placements team and reported to the corporate parenting board.'],
    ['health', 'Health assessments for children coming into care within 20 working days', 'Assessments within 20 days rose from 61% to 78% this quarter.', 'Paediatric clinic capacity fell over the summer; the 20-day figure has dropped back to 65%.', 'The 20-day standard has been met for three quarters in a row.'],
  ],
  'children-with-disabilities': [
    ['voluntary', 'Short breaks offer reviewed with disabled children and their families', 'Eight co-production sessions held with 60 families; the draft offer goes to the parent carer forum next month.', 'Providers cannot yet staff the weekend sessions families asked for most.', 'New short breaks offer published, with weekend and holiday sessions.'],
    ['voluntary', 'Inclusive after-school and holiday clubs in every locality', 'Clubs in 7 of 10 localities have trained staff and adapted equipment.', 'Two clubs have closed places for children who need one-to-one support because of staffing.', 'Every locality now has an inclusive club; the places are on the local offer.'],
    ['health', 'Two-year-old checks flag developmental delay straight to the family hub', 'The referral route is live in the east and south; 140 families referred so far.', 'The shared record is not yet live in the north and west, so referrals there are still on paper.', 'All health visiting teams refer through the shared record; no family waits more than two weeks.'],
  ],
  'children-with-sen': [
    ['school', 'SEN support plans reviewed with the child and family every term, starting at Chapel Fold Primary School', 'Termly reviews with families held for 9 in 10 pupils on SEN support at Chapel Fold.', 'Review meetings slipped this term while the school recruits a SENCO.', 'Termly reviews are routine; the approach is shared with the cluster’s other schools.'],
    ['health', 'Speech and language therapists working in classrooms in the 30 primaries with most pupils on SEN support', 'Therapists in 22 of the 30 schools; teachers report using the strategies daily.', 'Two therapist posts are vacant; eight schools are still waiting for a start date.', 'Therapists in all 30 schools; waiting time for a specialist assessment down to 12 weeks.'],
    ['leader', 'Education, health and care plans issued within 20 weeks', 'Plans issued within 20 weeks rose to 58% this quarter.', 'Requests for assessment are up by a fifth; the 20-week figure has fallen back below half.', 'Three quarters of plans now issued within 20 weeks, with the family’s views in every one.'],
  ],
  'excluded-from-school': [
    ['leader', 'Nurture groups in the secondary schools with the highest suspension rates', 'Nurture groups running in 6 secondary schools; suspensions of pupils in the groups are down a third.', 'Two schools have paused their groups while they recruit staff.', 'Nurture groups are established in all 10 schools and funded from the high needs block.'],
    ['practitioner', 'A reintegration plan within 15 school days for every pupil returning from the pupil referral unit', 'Reintegration plans agreed for 26 of 30 returning pupils this term.', 'Schools are slow to confirm places, so several pupils have waited more than 15 days.', 'Every returning pupil had a plan within 15 days this year.'],
    ['leader', 'A fair access protocol agreed with every secondary headteacher', 'The draft protocol has been discussed at two heads’ forums.', 'Three academy trusts have not yet signed up to the protocol.', 'Protocol signed by every secondary school and academy trust.'],
  ],
  'poor-attendance': [
    ['practitioner', 'Attendance caseworkers for every pupil below 80% attendance', 'Caseworkers now cover 18 secondary schools; 40% of their pupils are above 90% a term on.', 'Persistent absence rose in the autumn term and caseloads are over target.', 'Every pupil below 80% in the pilot schools has had a home visit and a plan.'],
    ['school', 'First-day calls home for every absence, starting at Chapel Fold Primary School', 'Calls made on the first morning of every absence; unexplained absence has halved.', 'The office has lost a member of staff and calls are being made in the afternoon.', 'First-day calls are routine and the script is shared with other schools.'],
    ['analyst', 'Monthly attendance figures by group of children sent to each school', 'Monthly reports go to every school; heads say they use them in pupil progress meetings.', 'The data feed from two school information systems fails each month and needs manual work.', 'Automated monthly reports to every school, by group and year group.'],
  ],
  'ethnic-minority-backgrounds': [
    ['school', 'Interpreted parents’ evenings in the schools with most pupils from minority ethnic backgrounds', 'Interpreted evenings held in 12 schools; attendance of parents up by a quarter.', 'The interpreting budget is nearly spent for the year.', 'Interpreted parents’ evenings are routine in all 20 schools.'],
    ['voluntary', 'Community champions from local faith and cultural groups at each family hub', 'Twenty champions recruited and trained; they run weekly sessions in five hubs.', 'Champions in two hubs have left and replacements are not yet recruited.', 'Champions in every family hub, with a programme planned with each community.'],
    ['analyst', 'Attainment by ethnic group reported to the Children’s Trust board each term', 'The first termly report went to the board in October.', 'Ethnicity is not recorded for one child in eight in the early years data, so the report is incomplete.', 'Termly reports by ethnic group are part of the board’s dashboard.'],
  ],
  'young-offenders': [
    ['youth-justice', 'A place in education, training or work agreed before every young person leaves custody', 'Places agreed before release for 9 of 11 young people this year.', 'Two young people were released without a college place after late release dates.', 'Every young person leaving custody this year had a place agreed before release.'],
    ['youth-justice', 'Restorative conferences offered to every first-time entrant', 'Conferences offered to every first-time entrant; 70% have taken part.', 'Victim liaison capacity has fallen and conferences are waiting six weeks.', 'Restorative conferences are standard; re-offending of first-time entrants fell this year.'],
    ['voluntary', 'Mentoring through football and youth work in the three neighbourhoods with most first-time entrants', 'Sessions run three evenings a week; 45 young people attend regularly.', 'Funding for the third neighbourhood has not been confirmed.', 'Mentoring runs in all three neighbourhoods and is funded for two more years.'],
  ],
  'young-carers': [
    ['school', 'A named young carers lead and a lunchtime drop-in, starting at Chapel Fold Primary School', 'The drop-in runs weekly; 14 young carers identified who were not known before.', 'The lead’s time for the drop-in has been cut this term.', 'Named leads in every school in the cluster; young carers identified and supported.'],
    ['practitioner', 'Young carers’ needs assessments completed within 28 days', 'Assessments within 28 days rose from 40% to 71%.', 'A backlog of 35 assessments built up over the summer.', 'Nine in ten assessments now completed within 28 days.'],
    ['health', 'Adult health services ask every adult they support whether a child helps to care for them', 'The question is in the community mental health and substance misuse assessment forms.', 'The question is asked in fewer than half of recorded assessments so far.', 'The question is asked in nine in ten assessments; referrals to young carers support have doubled.'],
  ],
  'at-risk-of-significant-harm': [
    ['practitioner', 'Domestic abuse notifications reach the child’s school before the next school day', 'Notifications reach schools by 8.30 the next morning for 95% of incidents.', 'Weekend notifications are still sent late on Monday.', 'Every school gets notifications before the school day, weekends included.'],
    ['practitioner', 'A family group conference offered before every initial child protection conference', 'Conferences offered to 80% of families; two thirds accepted.', 'Coordinator vacancies mean families wait five weeks for a conference.', 'Family group conferences are offered to every family before the child protection conference.'],
    ['school', 'Designated safeguarding leads track the attendance and attainment of children on plans', 'Safeguarding leads in the cluster review the progress of each child on a plan every half-term.', 'Progress data is missing for children who moved school during the year.', 'Tracking is routine and discussed at each core group.'],
  ],
  'living-with-vulnerable-adults': [
    ['health', 'Think family: adult mental health and substance misuse services ask about children at every assessment', 'The think-family questions are in the assessment forms of both services.', 'An audit found children recorded in only half of the assessments of parents.', 'Children are recorded in nine in ten assessments and referred to early help when needed.'],
    ['voluntary', 'Family support workers in the family hubs for parents with mental ill-health', 'Four workers in post; 60 families supported so far.', 'The service has a waiting list of 25 families.', 'Family support workers in every hub, with no waiting list.'],
    ['practitioner', 'A lead professional for every child living with domestic abuse, substance misuse or mental ill-health at home', 'Lead professionals named for 70% of the children identified.', 'Schools are reluctant to take the lead professional role without training.', 'Every identified child has a lead professional, most of them in schools.'],
  ],
  'not-fluent-in-english': [
    ['health', 'Early language screening at two for every child, with interpreters', 'Screening with interpreters offered in all health visiting teams; 85% of two-year-olds screened.', 'Interpreter bookings are delaying one screening in ten.', 'Screening reaches 95% of two-year-olds, with follow-up in the family hubs.'],
    ['school', 'Welcome packs and a buddy for every new pupil learning English as an additional language', 'Packs in eight languages and trained buddies in every class at Chapel Fold.', 'New arrivals mid-term have sometimes started without a buddy.', 'Every new arrival is welcomed with a pack and a buddy.'],
    ['voluntary', 'English classes for parents at the family hubs, with a crèche', 'Classes run at four hubs; 80 parents enrolled.', 'Crèche staffing limits places at two hubs.', 'Classes at every hub; parents report helping more with homework.'],
  ],
  'asylum-seekers-refugees': [
    ['voluntary', 'Welcome mentors for newly arrived families within two weeks of arrival', 'Mentors matched with 30 families within two weeks.', 'Arrivals doubled in the autumn and mentors cannot keep up.', 'Every newly arrived family is matched with a mentor within two weeks.'],
    ['leader', 'A school place within 20 school days for every newly arrived child', 'Places found within 20 days for 80% of newly arrived children.', 'Secondary places near the hotels housing families are full.', 'Every newly arrived child has a school place within 20 school days.'],
    ['health', 'Initial health assessments for unaccompanied children within 28 days', 'Assessments within 28 days for 75% of unaccompanied children.', 'Clinic capacity has fallen and waits are now six weeks.', 'The 28-day standard has been met for two quarters.'],
  ],
};

/** Three actions for each golden thread a priority may be about (the seed pack's "this means"). */
const threadActions: Readonly<Record<string, readonly ActionText[]>> = {
  GT01: [
    ['voluntary', 'A mentor, a caring and vigilant adult, for every child in care and every child on a child protection plan', 'Eighty volunteer mentors trained and matched; most matches have lasted more than six months.', 'Volunteer recruitment has slowed and 40 children are waiting for a mentor.', 'Every child in care who wants one has a mentor; matches are reviewed each term.'],
    ['leader', 'A “no child written off” campaign with schools, libraries and family hubs', 'Campaign launched at the heads’ conference; posters and stories in every library and hub.', 'Schools in the north have not yet taken the campaign into their classrooms.', 'The campaign ran all year; three in four children asked had seen it.'],
    ['school', 'Every child a reader: reading volunteers, starting at Chapel Fold Primary School', 'Twelve volunteers read weekly with 36 pupils; most have moved up a book band.', 'Volunteer numbers fell after the summer and sessions have halved.', 'Reading volunteers are in place and the model is shared with the cluster.'],
  ],
  GT02: [
    ['health', 'Health visitors and family hubs reach out to parents of new babies in the most deprived neighbourhoods', 'Antenatal contact made with nine in ten families in the target wards.', 'Health visitor vacancies mean the new-birth visit is late for one family in five.', 'New-birth visits within 14 days for nine in ten families in the target wards.'],
    ['voluntary', 'Home-learning sessions for parents of two-year-olds at the family hubs', 'Sessions run weekly at six hubs; 150 parents have taken part.', 'Attendance drops after the second session; the programme is being redesigned with parents.', 'The home-learning programme runs at every hub, designed with parents.'],
    ['leader', 'Parents help design the family hub offer through the parent carer forum', 'The forum has reviewed the hub timetable and the early help leaflet.', 'Fathers are hardly represented; the forum is trying evening sessions.', 'The hub offer was redesigned with parents, and fathers’ groups now run in three hubs.'],
  ],
  GT03: [
    ['practitioner', 'Think family: one family assessment shared by adult and children’s services', 'The shared assessment is in use by early help and adult social care in two localities.', 'The two case recording systems do not yet share the assessment, so it is re-keyed.', 'One family assessment in use in every locality.'],
    ['school', 'Home-school support workers in the schools with most children in need, starting at Chapel Fold Primary School', 'The support worker has met every family of a child in need at Chapel Fold.', 'The post is funded only until the summer.', 'Home-school support workers in the 25 schools, funded for three years.'],
    ['health', 'Health visitors continue support to age three for families in need', 'Extended support offered to 200 families in need.', 'Caseloads make the extra contacts hard to keep to.', 'Support to age three is the standard offer for families in need.'],
  ],
  GT04: [
    ['practitioner', 'Three-way handovers (child, parent and practitioner) at every change of key worker', 'Three-way handovers recorded for 70% of changes of social worker.', 'Staff turnover in the south team means many handovers are by letter.', 'Three-way handovers recorded for nine in ten changes.'],
    ['school', 'Transition summer school for vulnerable Year 6 pupils', 'Summer school planned with six secondary schools; 90 pupils invited.', 'Only half the invited pupils have replied; places may go unfilled.', 'Summer school held; attendance of the pupils in Year 7 is above their peers’.'],
    ['practitioner', 'Lead professionals hold the ring for every family with a team around the family', 'Every team around the family has a named lead professional.', 'Lead professionals in schools say they lack time for the role.', 'Lead professionals are supported by locality coordinators; reviews are on time.'],
  ],
  GT05: [
    ['school', 'Phonics catch-up for Year 2 pupils who did not pass the screening check, starting at Chapel Fold Primary School', 'Daily catch-up sessions for 18 pupils; most are on track to pass the re-check.', 'Staff absence has cut the sessions to three a week.', 'Four in five pupils passed the re-check; the programme is shared with the cluster.'],
    ['leader', 'Learning mentors in the secondary schools with the widest gaps', 'Learning mentors in post in 12 of 20 schools.', 'Recruitment has stalled in the outer schools.', 'Learning mentors in all 20 schools; their pupils’ progress is reported termly.'],
    ['leader', 'Teachers trained to assess individual children and plan for their needs', 'Two hundred teachers have completed the first module.', 'Supply cover for training days is hard to find.', 'Training completed by every school in the programme.'],
  ],
  GT06: [
    ['voluntary', 'After-school and holiday clubs free to every child eligible for free school meals', 'The holiday activities programme reached 6,000 children this summer.', 'Take-up by secondary pupils is low, and by disabled children lower still.', 'Free clubs in every locality, with a secondary and an inclusive offer.'],
    ['leader', 'A residential outdoor education week for every Year 6 pupil in care or eligible for free school meals', 'Places booked for 400 pupils at two outdoor centres.', 'Rising coach and centre costs leave a funding gap for the summer term.', 'Every eligible Year 6 pupil was offered a residential week.'],
    ['voluntary', 'Music, arts and sport taster programme in every locality', 'Taster sessions run in seven localities with local clubs.', 'Sessions in two localities have no venue after the leisure centre closed.', 'The programme runs in all ten localities.'],
  ],
  GT07: [
    ['leader', 'An integrated training programme for education, social care, health and voluntary sector staff', 'Three joint courses run; 300 staff from all four sectors attended.', 'Health staff find it hard to be released for training.', 'The integrated programme is in its second year with places for every sector.'],
    ['health', 'A shared model of supervision for early help and health visiting', 'The model is agreed and 40 supervisors are trained.', 'Supervision records show the model is used in under half of sessions.', 'The shared model is used in every team.'],
    ['leader', 'Vision and priorities communicated to every front-line team through locality briefings', 'Briefings held in every locality; 900 staff attended.', 'Staff surveys show most front-line staff cannot name the plan’s priorities.', 'Briefings are held each term and most staff can name the priorities.'],
  ],
  GT08: [
    ['leader', 'Every new job description includes working with other agencies and the common processes', 'The standard wording is agreed with human resources and used for new posts.', 'Partner agencies have not yet adopted the wording.', 'All partners use the shared wording in new job descriptions.'],
    ['leader', 'A ladder of accreditation for the children’s workforce with the local colleges', 'Two colleges have agreed the first two rungs; the first cohort starts in January.', 'University accreditation of the top rung is delayed.', 'The ladder is accredited from level 2 to degree level.'],
    ['leader', 'Annual children’s services awards celebrating practice that narrows the gap', 'Nominations open; 80 received from across the partnership.', 'Sponsorship for the awards evening has not been found.', 'Awards held in July with winners from every sector.'],
  ],
  GT09: [
    ['analyst', 'A joint performance and information team across education, social care and health', 'Analysts from the three services now sit together and share one work plan.', 'Data-sharing agreements with health are still unsigned.', 'The joint team is in place with data-sharing agreements signed.'],
    ['analyst', 'Gap dashboards by group of children reported to the Children’s Trust board each quarter', 'The first dashboard went to the board; each gap has a named partner lead.', 'Health data for the dashboard arrive a quarter late.', 'The dashboard is reported every quarter and used to agree the curves to turn.'],
    ['analyst', 'Outcomes-based accountability training for every partnership lead', 'Forty partnership leads trained; each has drafted a turn-the-curve plan.', 'The second cohort was postponed after the trainer left.', 'Every partnership lead is trained and owns a turn-the-curve plan.'],
  ],
  GT10: [
    ['leader', 'An agreed vision with shared priorities across all Children’s Trust partners', 'The draft vision was discussed with partners, children and parents at four events.', 'Two partners have not yet taken the vision to their own boards.', 'The vision and priorities are signed by every partner board.'],
    ['leader', 'Existing processes reviewed and refreshed rather than new ones bolted on', 'Review of the early help pathway is complete; three forms have been merged into one.', 'The review of the SEND pathway has not started.', 'The early help and SEND pathways have been reviewed and simplified.'],
    ['analyst', 'Back-office information functions merged across the local children’s sector', 'Options appraisal agreed by the board.', 'The case for merging the information teams is waiting for the budget decision.', 'One information service for the children’s partnership.'],
  ],
};

/** Written priorities, used when the evidence suggests fewer than six: each about a golden thread, linked to its statements and a group's gaps. */
const writtenPriorities: readonly { thread: string; title: string; rationale: string; statements: readonly string[]; group: string | null }[] = [
  {
    thread: 'GT01',
    title: 'Every vulnerable child has one trusted adult',
    rationale:
      'Golden thread 1 asks for one trusted adult, an “all weather friend”, for every vulnerable child. Mentoring here depends on where a child lives and which school they attend; this priority makes it the offer for every child in care and every child on a child protection plan.',
    statements: ['GT01', 'GT01-M4', 'GT01-M2'],
    group: 'children-in-care',
  },
  {
    thread: 'GT09',
    title: 'One shared picture of the gaps for the Children’s Trust board',
    rationale:
      'Prove it: partners need to decide together which curves to turn, what data is available and which partners must be involved. Today each service reports its own figures; this priority brings them into one dashboard of the gaps for each group of children.',
    statements: ['GT09', 'GT09-M1', 'GT09-M3'],
    group: 'poorer-socio-economic-groups',
  },
  {
    thread: 'GT04',
    title: 'Hold onto the baton for children in care',
    rationale: 'Children in care face more disruption than others. This priority keeps their school, their key worker and their plans steady through changes of home, and makes every handover three-way.',
    statements: ['GT04', 'GT04-M4', 'GT04-M1'],
    group: 'children-in-care',
  },
  {
    thread: 'GT02',
    title: 'Together with parents from the first year of life',
    rationale: 'Parents are the key people in children’s lives. This priority reaches parents of babies in the most deprived neighbourhoods early, through health visitors and the family hubs, and builds the home-learning environment.',
    statements: ['GT02', 'GT02-M2', 'GT02-M5'],
    group: 'poorer-socio-economic-groups',
  },
  {
    thread: 'GT07',
    title: 'Unite to succeed: one training offer across the partnership',
    rationale: 'Multi-disciplinary working depends on staff who share a language and processes. This priority builds one training and supervision offer for education, social care, health and the voluntary sector.',
    statements: ['GT07', 'GT07-M2', 'GT07-M3'],
    group: null,
  },
  {
    thread: 'GT06',
    title: 'From cornflakes to canoeing in every locality',
    rationale: 'Children whose parents have neither the will nor the means to seek out activities miss the most. This priority makes breakfast, after-school and holiday clubs, and a residential week, free to the children who need them.',
    statements: ['GT06', 'GT06-M2', 'GT06-M9'],
    group: 'poorer-socio-economic-groups',
  },
];

/** The indicator a thread's success measure follows, where the gap data has one. */
const threadIndicators: Readonly<Record<string, string>> = {
  GT01: 'ks4_eng_maths_grade4',
  GT02: 'eyfsp_gld',
  GT03: 'attendance_pct',
  GT04: 'attendance_pct',
  GT05: 'ks2_rwm_expected',
  GT06: 'healthy_weight_y6',
  GT07: 'suspensions',
  GT08: 'eyfsp_gld',
  GT09: 'ks4_attainment8',
  GT10: 'neet_16_17',
};

/** How an action stands when the demo is loaded, and so what its dates and log say. */
type Fate = 'done' | 'on-track' | 'not-started' | 'at-risk' | 'off-track' | 'overdue-off-track' | 'overdue-at-risk';

/**
 * The fate of the demo's actions in order, three to a priority: every status appears, and exactly two
 * actions are overdue (due before today and not done).
 */
const fates: readonly Fate[] = [
  'done',
  'on-track',
  'overdue-off-track',
  'done',
  'at-risk',
  'not-started',
  'on-track',
  'overdue-at-risk',
  'not-started',
  'done',
  'on-track',
  'off-track',
  'on-track',
  'at-risk',
  'not-started',
  'done',
  'on-track',
  'not-started',
];

const dayMs = 86_400_000;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + Math.round(days) * dayMs).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);
}

function monthYear(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/**
 * The demo plan's period: the three years of a Children and Young People's Plan from the 1 April
 * that starts the financial year containing `today` (yyyy-mm-dd), or from the April before when
 * today is within 90 days of it, so the plan always has some months of history behind today.
 */
export function demoPlanPeriod(today: string): { start: string; end: string } {
  const [year = 2026, month = 1] = today.split('-').map(Number);
  let startYear = month >= 4 ? year : year - 1;
  if (daysBetween(`${startYear}-04-01`, today) < 90) startYear -= 1;
  return { start: `${startYear}-04-01`, end: `${startYear + 3}-03-31` };
}

/** What a second update says of an action that is going to plan. */
const reviews = [
  'Reviewed at the quarterly check-in: still on track.',
  'Progress reported to the Children’s Trust board; no change to the plan.',
  'Checked with the owner: milestones for this term met.',
];

/** One step of an action's story: its status from that day, what the update says, and when it was written. */
interface Step {
  on: string;
  status: ImprovementActionStatus;
  note: string;
}

/**
 * An action's dates and its log, for its fate. `agreed` is the day the plan was agreed, `today` the
 * demo's today; past steps fall between them, as fractions of the time since the plan was agreed.
 */
function actionStory(fate: Fate, text: ActionText, index: number, agreed: string, today: string): { startDate: string; dueDate: string; status: ImprovementActionStatus; steps: Step[] } {
  const span = Math.max(daysBetween(agreed, today), 10);
  // Each action a little later or earlier than the others, so their updates do not all fall on one day.
  const shift = ((index * 5) % 7) * 0.02;
  const past = (fraction: number) => addDays(agreed, Math.min(span - 1, Math.max(1, Math.round(span * (fraction + shift)))));
  const jitter = (index * 7) % 29;
  const [, , progress, concern, done] = text;
  const added = { on: agreed, status: 'not-started' as const, note: 'Agreed with the plan at the Children’s Trust board.' };
  switch (fate) {
    case 'done':
      return { startDate: past(0.05), dueDate: past(0.5), status: 'done', steps: [added, { on: past(0.2), status: 'on-track', note: progress }, { on: past(0.5), status: 'done', note: done }] };
    case 'on-track':
      return { startDate: past(0.15), dueDate: addDays(today, 150 + jitter * 4), status: 'on-track', steps: [added, { on: past(0.3), status: 'on-track', note: progress }, { on: past(0.85), status: 'on-track', note: reviews[index % reviews.length]! }] };
    case 'not-started': {
      const startDate = addDays(today, 30 + jitter * 2);
      return { startDate, dueDate: addDays(today, 270 + jitter * 5), status: 'not-started', steps: [{ ...added, note: `Agreed with the plan at the Children’s Trust board; work starts in ${monthYear(startDate)}, when the first phase is done.` }] };
    }
    case 'at-risk':
      return { startDate: past(0.1), dueDate: addDays(today, 45 + jitter), status: 'at-risk', steps: [added, { on: past(0.35), status: 'on-track', note: progress }, { on: past(0.92), status: 'at-risk', note: concern }] };
    case 'off-track':
      return { startDate: past(0.1), dueDate: addDays(today, 75 + jitter), status: 'off-track', steps: [added, { on: past(0.3), status: 'on-track', note: progress }, { on: past(0.9), status: 'off-track', note: `${concern} A recovery plan goes to the next board.` }] };
    case 'overdue-off-track':
      return { startDate: past(0.05), dueDate: past(0.8), status: 'off-track', steps: [added, { on: past(0.25), status: 'on-track', note: progress }, { on: past(0.6), status: 'off-track', note: concern }] };
    case 'overdue-at-risk':
      return {
        startDate: past(0.2),
        dueDate: addDays(today, -Math.max(2, Math.round(span * 0.05))),
        status: 'at-risk',
        steps: [added, { on: past(0.45), status: 'on-track', note: progress }, { on: past(0.7), status: 'at-risk', note: concern }],
      };
  }
}

async function viewerOf(db: Kysely<Schema>, email: string): Promise<SignedIn | undefined> {
  const row = await db.selectFrom('user_account').select(['id', 'email', 'display_name']).where('email', '=', email).executeTakeFirst();
  if (row === undefined) return undefined;
  return { signedIn: true, sessionIdHash: 'demo-loader', userId: row.id, email: row.email, displayName: row.display_name, secondFactorDone: true, totpConfigured: false, memberships: await membershipsOf(db, row.id) };
}

function answered<T>(answer: T | Refusal, what: string): T {
  if (isRefusal(answer)) throw new Error(`the demo improvement plan could not be loaded: ${what} was refused (${answer.message}: ${JSON.stringify(answer.errors ?? [])})`);
  return answer;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Adds the demo's partner organisations the authority does not have yet, as its admin would. */
async function ensurePartners(db: Kysely<Schema>): Promise<void> {
  const admin = await viewerOf(db, 'authority-admin@demo.invalid');
  if (admin === undefined) return;
  const existing = new Set((await db.selectFrom('organisation').select('name').where('kind', '=', 'partner').where('la_code', '=', demoAuthorityCode).execute()).map((row) => row.name));
  for (const name of Object.values(demoPartnerNames)) {
    if (!existing.has(name)) await addPartner(db, admin, { name, laCode: demoAuthorityCode }, '127.0.0.1');
  }
}

/** Who may own the demo's actions, by key: demo accounts of the authority, its partners and the demo school. */
async function ownersOf(service: ImprovementPlanService, db: Kysely<Schema>, plan: ImprovementPlan): Promise<Record<OwnerKey, string>> {
  const choices = await service.ownerChoices(plan);
  const userIds = new Map((await db.selectFrom('user_account').select(['id', 'email']).where('email', 'in', ['leader@demo.invalid', 'analyst@demo.invalid', 'practitioner@demo.invalid']).execute()).map((row) => [row.email, row.id]));
  const member = (email: string) => {
    const id = userIds.get(email);
    return id !== undefined && choices.members.some((entry) => entry.userId === id) ? `user:${id}` : undefined;
  };
  const partner = (name: string) => {
    const found = choices.partners.find((entry) => entry.label === name);
    return found === undefined ? undefined : `organisation:${found.organisationId}`;
  };
  const leader = member('leader@demo.invalid')!;
  return {
    leader,
    analyst: member('analyst@demo.invalid') ?? leader,
    practitioner: member('practitioner@demo.invalid') ?? leader,
    health: partner(demoPartnerNames.health) ?? leader,
    voluntary: partner(demoPartnerNames.voluntary) ?? leader,
    'youth-justice': partner(demoPartnerNames.youthJustice) ?? leader,
    school: partner(demoSettingName) ?? leader,
  };
}

/** Published practice items for a group or a thread, strongest evidence first. */
async function practiceFor(db: Kysely<Schema>, subject: { group?: string; thread?: string }, count: number): Promise<string[]> {
  let query = db.selectFrom('practice_item').select('id').where('status', '=', 'published');
  if (subject.group !== undefined) query = query.where((eb) => eb(eb.val(subject.group!), '=', eb.fn.any('groups')));
  if (subject.thread !== undefined) query = query.where((eb) => eb(eb.val(subject.thread!), '=', eb.fn.any('threads')));
  return (await query.orderBy('evidence_strength', 'desc').orderBy('reference').limit(count).execute()).map((row) => row.id);
}

/** A priority chosen for the demo plan, before it is added. */
type PlannedPriority = { kind: 'suggested'; suggestion: PlanSuggestion } | { kind: 'written'; written: (typeof writtenPriorities)[number] };

function subjectOf(planned: PlannedPriority): { group?: string; thread?: string } {
  if (planned.kind === 'written') return { thread: planned.written.thread };
  const [kind, subject] = planned.suggestion.key.split(':');
  return kind === 'group' ? { group: subject! } : kind === 'thread' ? { thread: subject! } : {};
}

function actionsFor(planned: PlannedPriority): readonly ActionText[] {
  const subject = subjectOf(planned);
  return (subject.group !== undefined ? groupActions[subject.group] : subject.thread !== undefined ? threadActions[subject.thread] : undefined) ?? threadActions.GT09!;
}

/** Loads the demo improvement plan unless the demo authority has one already. Returns whether it loaded it. */
export async function loadDemoPlans(db: Kysely<Schema>, log: (message: string) => void = () => undefined, clock: () => Date = () => new Date()): Promise<boolean> {
  const authority = await db.selectFrom('organisation').select(['id', 'name']).where('kind', '=', 'local-authority').where('area_code', '=', demoAuthorityCode).executeTakeFirst();
  if (authority === undefined) return false;
  const existing = await db.selectFrom('improvement_plan').select('id').where('la_code', '=', demoAuthorityCode).limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  const leader = await viewerOf(db, 'leader@demo.invalid');
  const analyst = await viewerOf(db, 'analyst@demo.invalid');
  if (leader === undefined || analyst === undefined) return false;
  const started = Date.now();
  const catalogue: Catalogue = loadCatalogue();
  const service = new ImprovementPlanService(db, new AssessmentService(db, catalogue, { evidenceLimitBytes: 10 * 1_048_576 }), catalogue, clock);
  const today = isoDateIn(clock());
  const period = demoPlanPeriod(today);
  // The board agreed the plan three weeks into the period; everything after it happened between then and today.
  const agreed = addDays(period.start, 21);
  const place = localAuthorityByGss(demoAuthorityCode)?.name ?? authority.name;
  await ensurePartners(db);

  // The dated story: each change is made in date order, then its log entry and revision are given that date.
  const stamps: { revision: number; on: string; actionId?: string }[] = [];
  let plan = answered(
    await service.create(leader, {
      organisation_id: authority.id,
      title: `${place} Children and Young People’s Plan ${period.start.slice(0, 4)} to ${period.end.slice(0, 4)}: narrowing the gap`,
      vision: `Every child in ${place} does as well as the children around them, whatever their start in life. We will expect the best of and for every child, work together with parents, see services through the eyes of the child and hold onto the baton when things change; we will prove it with the gaps we close for the children who are most vulnerable or in need.`,
      period_start: period.start,
      period_end: period.end,
      owner_user_id: leader.userId,
    }),
    'starting the plan',
  );
  stamps.push({ revision: plan.revision, on: agreed });
  const record = (changed: ImprovementPlan, on: string, actionId?: string) => {
    plan = changed;
    stamps.push({ revision: changed.revision, on, ...(actionId === undefined ? {} : { actionId }) });
  };

  // The top suggestions: up to three about groups of children and two about golden threads, then written priorities.
  const suggestions = await service.suggestions(leader, plan);
  const chosen: PlannedPriority[] = [
    ...suggestions.filter((suggestion) => suggestion.kind === 'group').slice(0, groupSuggestions),
    ...suggestions.filter((suggestion) => suggestion.kind === 'thread').slice(0, threadSuggestions),
  ]
    .sort((a, b) => a.rank - b.rank)
    .map((suggestion) => ({ kind: 'suggested', suggestion }));
  const threadsTaken = new Set(chosen.map(subjectOf).flatMap((subject) => subject.thread ?? []));
  for (const written of writtenPriorities) {
    if (chosen.length >= priorityCount) break;
    if (!threadsTaken.has(written.thread)) chosen.push({ kind: 'written', written });
  }

  const known = new Set((await statementsAt(db, catalogue)).statements.map((statement) => statement.id));
  const choices = await service.choices(leader, plan);
  const priorities: { priorityId: string; planned: PlannedPriority }[] = [];
  for (const planned of chosen) {
    const subject = subjectOf(planned);
    const practice = await practiceFor(db, subject, 2);
    if (planned.kind === 'suggested') {
      const added = answered(await service.addPriority(leader, plan.id, { suggestion: planned.suggestion.key }), `the priority “${planned.suggestion.title}”`);
      record(added.plan, agreed);
      // Then the published practice the authority means to use, added to the priority's links.
      const priority = added.plan.priorities.find((entry) => entry.id === added.priorityId)!;
      if (practice.length > 0) {
        const links: PriorityLink[] = [...priority.links, ...practice.map((target) => ({ kind: 'practice' as const, target }))];
        record(answered(await service.savePriority(leader, plan.id, priority.id, { version: priority.version, title: priority.title, rationale: priority.rationale, links }), 'adding practice to a priority'), agreed);
      }
      priorities.push({ priorityId: added.priorityId, planned });
    } else {
      const { written } = planned;
      const gap = written.group === null ? undefined : choices.gaps.find((entry) => entry.target.endsWith(`|${written.group}`));
      const links: PriorityLink[] = [
        { kind: 'thread', target: written.thread },
        ...written.statements.filter((statement) => known.has(statement)).map((target) => ({ kind: 'statement' as const, target })),
        ...(gap === undefined ? [] : [{ kind: 'gap' as const, target: gap.target }]),
        ...practice.map((target) => ({ kind: 'practice' as const, target })),
      ];
      const added = answered(await service.addPriority(leader, plan.id, { title: written.title, rationale: written.rationale, links }), `the priority “${written.title}”`);
      record(added.plan, agreed);
      priorities.push({ priorityId: added.priorityId, planned });
    }
  }

  // The authority's turn-the-curve plans appear inside the priorities: a suggestion about a group links
  // the plans for that group; a plan no priority has taken goes in the one following its group's gaps, or the first.
  const linkedPlans = new Set(plan.priorities.flatMap((priority) => priority.links.filter((link) => link.kind === 'curve-plan').map((link) => link.target)));
  for (const curvePlan of await listCurvePlans(db, [demoAuthorityCode])) {
    if (linkedPlans.has(curvePlan.id)) continue;
    const home = plan.priorities.find((priority) => priority.links.some((link) => link.kind === 'gap' && link.target.endsWith(`|${curvePlan.groupSpec}`))) ?? plan.priorities[0]!;
    const links = [...home.links, { kind: 'curve-plan' as const, target: curvePlan.id }];
    record(answered(await service.savePriority(leader, plan.id, home.id, { version: home.version, title: home.title, rationale: home.rationale, links }), 'linking a turn-the-curve plan'), agreed);
    linkedPlans.add(curvePlan.id);
  }

  // Success measures: a priority about a group follows two of its gaps; the others one gap from the curves to turn,
  // on their thread's indicator where it can; each gap once, and from the curves to turn when its own are used up.
  const targetYear = formatAcademicYear(Number(period.end.slice(0, 4)) - 1);
  const measured = new Set<string>();
  const measure = async (priorityId: string, target: string, share: number): Promise<boolean> => {
    if (measured.has(target)) return false;
    const [indicator = '', group = ''] = target.split('|');
    const { cells } = await measureSeries(db, leader, demoAuthorityCode, { indicator, groupSpec: group, comparator: 'all-other' });
    const baseline = [...cells].reverse().find((cell) => figureOf(cell, 'gap') !== null);
    if (baseline === undefined || parseAcademicYear(baseline.year)! >= parseAcademicYear(targetYear)!) return false;
    // Small gaps (suspensions a child, say) keep two decimals; a gap that would not move makes no target.
    const gap = figureOf(baseline, 'gap')!;
    const targetValue = Math.abs(gap) < 1 ? Math.round(gap * share * 100) / 100 : round1(gap * share);
    if (targetValue === gap) return false;
    const answer = await service.addMeasure(leader, plan.id, priorityId, { gap: target, comparator: 'all-other', figure: 'gap', target_value: String(targetValue), target_year: targetYear });
    if (isRefusal(answer)) return false;
    measured.add(target);
    record(answer, agreed);
    return true;
  };
  // The priorities about groups first, so each keeps its own gaps; the others then take gaps not yet followed.
  const groupsFirst = [...priorities].sort((a, b) => Number(subjectOf(a.planned).group === undefined) - Number(subjectOf(b.planned).group === undefined));
  for (const { priorityId, planned } of groupsFirst) {
    const priority = plan.priorities.find((entry) => entry.id === priorityId)!;
    const subject = subjectOf(planned);
    const ownGaps = priority.links.filter((link) => link.kind === 'gap').map((link) => link.target);
    const indicator = subject.thread === undefined ? undefined : threadIndicators[subject.thread];
    const candidates = [
      ...ownGaps,
      ...choices.gaps.filter((gap) => (subject.group !== undefined ? gap.target.endsWith(`|${subject.group}`) : gap.target.startsWith(`${indicator}|`))).map((gap) => gap.target),
      ...choices.gaps.map((gap) => gap.target),
    ];
    let added = 0;
    for (const target of candidates) {
      if (added >= (subject.group !== undefined ? 2 : 1)) break;
      // Another group's gap only when the priority would otherwise have no measure.
      if (added > 0 && subject.group !== undefined && !target.endsWith(`|${subject.group}`)) continue;
      if (await measure(priorityId, target, added === 0 ? 0.5 : 0.67)) added += 1;
    }
  }

  // Actions, three to a priority, with their stories.
  const owners = await ownersOf(service, db, plan);
  const steps: { on: string; actionId: string; title: string; owner: string; startDate: string; dueDate: string; status: ImprovementActionStatus; note: string }[] = [];
  let index = 0;
  for (const { priorityId, planned } of priorities) {
    for (const text of actionsFor(planned).slice(0, 3)) {
      const story = actionStory(fates[index % fates.length]!, text, index, agreed, today);
      index += 1;
      const [owner, title] = text;
      const [first, ...later] = story.steps;
      const body = { title, owner: owners[owner], start_date: story.startDate, due_date: story.dueDate };
      const added = answered(await service.addAction(leader, plan.id, priorityId, { ...body, status: first!.status, note: first!.note }), `the action “${title}”`);
      record(added.plan, first!.on, added.actionId);
      for (const step of later) steps.push({ ...body, on: step.on, actionId: added.actionId, title, owner: owners[owner], startDate: story.startDate, dueDate: story.dueDate, status: step.status, note: step.note });
    }
  }

  // The updates since, in date order: the analyst logs the data actions, the leader the rest.
  steps.sort((a, b) => a.on.localeCompare(b.on));
  for (const step of steps) {
    const action = plan.priorities.flatMap((priority: Priority) => priority.actions).find((entry) => entry.id === step.actionId)!;
    const author = step.owner === owners.analyst && owners.analyst !== owners.leader ? analyst : leader;
    const changed = answered(
      await service.updateAction(author, plan.id, step.actionId, { version: action.version, title: step.title, owner: step.owner, start_date: step.startDate, due_date: step.dueDate, status: step.status, note: step.note }),
      `an update of “${step.title}”`,
    );
    record(changed, step.on, step.actionId);
  }

  await dateTheStory(db, plan.id, stamps);
  const actions = plan.priorities.reduce((sum, priority) => sum + priority.actions.length, 0);
  log(`Demo mode: an improvement plan with ${plan.priorities.length} priorities and ${actions} actions loaded in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}

/**
 * Dates each revision, and the log entry each action change wrote, on the day the story says it
 * happened (at 10:00 UK time, a minute apart so their order stays), and the plan as started the day
 * it was agreed and last changed at its last update.
 */
async function dateTheStory(db: Kysely<Schema>, planId: string, stamps: readonly { revision: number; on: string; actionId?: string }[]): Promise<void> {
  const written = new Map<string, number>();
  const moments = stamps.map((stamp, order) => new Date(Date.parse(`${stamp.on}T10:00:00Z`) + order * 60_000));
  await db.transaction().execute(async (transaction) => {
    for (const [order, stamp] of stamps.entries()) {
      const at = moments[order]!;
      await transaction.updateTable('improvement_revision').set({ changed_at: at }).where('la_code', '=', demoAuthorityCode).where('plan_id', '=', planId).where('revision', '=', stamp.revision).execute();
      if (stamp.actionId === undefined) continue;
      // An action's log entries are in the order its changes were made: the nth change wrote the nth entry.
      const nth = written.get(stamp.actionId) ?? 0;
      written.set(stamp.actionId, nth + 1);
      const entry = await transaction.selectFrom('improvement_action_update').select('id').where('la_code', '=', demoAuthorityCode).where('action_id', '=', stamp.actionId).orderBy('id').offset(nth).limit(1).executeTakeFirst();
      if (entry !== undefined) await transaction.updateTable('improvement_action_update').set({ written_at: at }).where('la_code', '=', demoAuthorityCode).where('id', '=', entry.id).execute();
    }
    await transaction
      .updateTable('improvement_plan')
      .set({ created_at: moments[0]!, updated_at: moments.at(-1)! })
      .where('la_code', '=', demoAuthorityCode)
      .where('id', '=', planId)
      .execute();
  });
}

/**
 * The demo's network: what Leeds, Bradford and Wakefield say on their pages (Leeds publishes its
 * plan's priorities), two listed contacts, and six communities of interest with fictional members
 * from councils around the region, their discussions, a shared document or two and upcoming events.
 * Everyone and everything here is made up. Loaded once: a service that has any group keeps its own.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { demoAuthorityCode } from '../auth/demo.js';
import { reply, startDiscussion } from '../network/discussions.js';
import { shareDocument } from '../network/documents.js';
import { addEvent, signUp } from '../network/events.js';
import { createGroup, invite, joinGroup } from '../network/groups.js';
import type { GroupFields, Person } from '../network/groups.js';
import { listContact, saveProfile } from '../network/profiles.js';
import { isoDateIn } from '../web/format.js';

const bradford = 'E08000032';
const wakefield = 'E08000036';
const kirklees = 'E08000034';
const calderdale = 'E08000033';

/** Fictional people of other councils, who cannot sign in (no password): the demo's accounts meet them in groups. */
const fictionalPeople = [
  { email: 'amira.khan@bradford.demo.invalid', name: 'Amira Khan', laCode: bradford, role: 'leader' },
  { email: 'tom.hughes@wakefield.demo.invalid', name: 'Tom Hughes', laCode: wakefield, role: 'practitioner' },
  { email: 'grace.obi@kirklees.demo.invalid', name: 'Grace Obi', laCode: kirklees, role: 'analyst' },
  { email: 'dan.price@calderdale.demo.invalid', name: 'Dan Price', laCode: calderdale, role: 'leader' },
] as const;

async function personByEmail(db: Kysely<Schema>, email: string): Promise<Person | undefined> {
  const row = await db.selectFrom('user_account').select(['id', 'display_name', 'email']).where('email', '=', email).executeTakeFirst();
  return row === undefined ? undefined : { userId: row.id, label: row.display_name || row.email };
}

async function fictionalPerson(db: Kysely<Schema>, entry: (typeof fictionalPeople)[number]): Promise<Person> {
  const organisation = await db.selectFrom('organisation').select('id').where('kind', '=', 'local-authority').where('area_code', '=', entry.laCode).executeTakeFirstOrThrow();
  const user = await db
    .insertInto('user_account')
    .values({ email: entry.email, display_name: entry.name, status: 'active', password_hash: null, totp_secret: null })
    .onConflict((conflict) => conflict.column('email').doUpdateSet({ status: 'active' }))
    .returning(['id', 'display_name'])
    .executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ user_id: user.id, organisation_id: organisation.id, role: entry.role, granted_by: null }).onConflict((conflict) => conflict.doNothing()).execute();
  return { userId: user.id, label: user.display_name };
}

const transitionChecklist = [
  'item,who,when,done',
  'Share the pupil’s trusted adult and lead professional with the receiving school,Year 6 teacher,By the end of May,',
  'Handover meeting for every child in care or on a plan,Designated teachers of both schools,June,',
  'Second visit to the secondary school for pupils flagged as anxious,Transition mentor,Early July,',
  'First-week check-in with the named adult,Receiving school,September week 1,',
  'Review attendance and behaviour after six weeks,Head of Year 7,October half term,',
].join('\r\n');

const attendanceTemplate = ['week,pupils_on_roll,sessions_possible,sessions_missed,persistent_absentees', '1,420,4200,198,31', '2,420,4200,176,29', '3,419,4190,221,34', '4,419,4190,160,27'].join('\r\n');

interface DemoGroup {
  fields: GroupFields;
  owner: string;
  members: string[];
  discussions: { title: string; by: string; body: string; replies: { by: string; body: string; quoteFirst?: boolean }[] }[];
  document?: { title: string; fileName: string; content: string; by: string };
  event?: { title: string; description: string; inDays: number; place: string; onlineUrl: string; capacity: string; by: string; going: string[] };
}

function demoGroups(leeds: string): DemoGroup[] {
  return [
    {
      fields: { name: 'Two-year-olds: free early education take-up', purpose: 'Councils and children’s centres raising take-up of free early education for eligible two-year-olds, so the poorest children start school ready. We share outreach that works, data sharing agreements and what parents tell us.', visibility: 'open', theme: 'THEME-1', frameworkGroup: 'poorer-socio-economic-groups', threads: ['GT02', 'GT07'], templates: ['1'] },
      owner: 'amira',
      members: ['leader', 'setting-leader', 'tom', 'grace'],
      discussions: [
        {
          title: 'Getting the DWP eligibility list to children’s centres',
          by: 'amira',
          body: 'We now send the **DWP list** to our children’s centres every month, under a data sharing agreement, and take-up rose from 61% to 74% in a year.\n\nHas anyone done the same with health visitors?',
          replies: [
            { by: 'leader', body: `We tried it in ${leeds} through the health visiting service: the 2½-year review is where parents hear about the offer. Happy to share our agreement, @amira.khan@bradford.demo.invalid.`, quoteFirst: true },
            { by: 'setting-leader', body: 'From a school nursery: the families who do not take it up often do not know the hours can be stretched. A one-page leaflet in plain English helped.' },
          ],
        },
        { title: 'Outreach visits: what do you count?', by: 'grace', body: 'We count a visit only if a parent is seen. Do others count attempts too? It changes the rate a lot.', replies: [{ by: 'tom', body: 'We count both and report them separately: attempts tell us about workload, visits about reach.' }] },
      ],
      event: { title: 'Two-year-old offer: sharing what works', description: 'A morning of short talks from three councils, then time in small groups.', inDays: 18, place: 'Leeds Civic Hall, Calverley Street, Leeds', onlineUrl: '', capacity: '40', by: 'amira', going: ['leader', 'grace'] },
    },
    {
      fields: { name: 'Virtual school heads, Yorkshire and the Humber', purpose: 'Virtual school heads and designated teachers comparing personal education plans, attendance of children in care and the pupil premium plus.', visibility: 'restricted', frameworkGroup: 'children-in-care', threads: ['GT01', 'GT03'] },
      owner: 'tom',
      members: ['practitioner', 'dan'],
      discussions: [{ title: 'PEP quality audits: a shared tool?', by: 'tom', body: 'Our PEP audit tool scores each plan on eight points. Would anyone test it on ten of their own PEPs this term?', replies: [{ by: 'practitioner', body: 'Yes: we will try it on ten plans for Year 10 pupils.' }] }],
    },
    {
      fields: { name: 'Persistent absence', purpose: 'Attendance leads working on persistent absence among vulnerable pupils: early warning, family work and what the data says.', visibility: 'open', frameworkGroup: 'poor-attendance', threads: ['GT08'], templates: ['3', '5'] },
      owner: 'grace',
      members: ['analyst', 'setting-leader', 'dan'],
      discussions: [
        {
          title: 'Weekly tracking template',
          by: 'grace',
          body: 'I have shared the weekly attendance template we use with schools (Documents, below). The columns match the DfE’s persistent absence definition.',
          replies: [{ by: 'analyst', body: 'Thanks. We add a column for pupils known to children’s social care, so the early help team sees them first.' }],
        },
      ],
      document: { title: 'Weekly attendance tracking template', fileName: 'weekly-attendance-template.csv', content: attendanceTemplate, by: 'grace' },
    },
    {
      fields: { name: 'Holding onto the baton: Year 6 to 7', purpose: 'Primary and secondary schools and councils improving the move to secondary school for vulnerable pupils: handovers, named adults and the first term.', visibility: 'open', theme: 'THEME-1', threads: ['GT04'], templates: ['3'] },
      owner: 'setting-leader',
      members: ['leader', 'practitioner', 'amira'],
      discussions: [
        {
          title: 'A handover checklist that secondary schools actually use',
          by: 'setting-leader',
          body: 'Our checklist is in Documents. The part that made a difference was the **first-week check-in** with the named adult.',
          replies: [
            { by: 'amira', body: 'We have added the trusted adult to the handover in Bradford too. Does anyone record whether the secondary school confirmed it?' },
            { by: 'practitioner', body: 'The service now shows a receiving school’s confirmation on its handover list, which gives us that record.' },
          ],
        },
      ],
      document: { title: 'Transition handover checklist', fileName: 'transition-handover-checklist.csv', content: transitionChecklist, by: 'setting-leader' },
      event: { title: 'Transition planning workshop (online)', description: 'For Year 6 teachers, SENCOs and heads of Year 7.', inDays: 32, place: '', onlineUrl: 'https://meet.demo.invalid/transition-workshop', capacity: '', by: 'setting-leader', going: ['practitioner'] },
    },
    {
      fields: { name: 'Working with parents and carers', purpose: 'Parent support advisers, family workers and schools on engaging the parents who are hardest to reach.', visibility: 'open', theme: 'THEME-2', threads: ['GT02'], templates: ['4'] },
      owner: 'dan',
      members: ['leader', 'tom'],
      discussions: [{ title: 'Parents’ evenings at the children’s centre', by: 'dan', body: 'Holding one parents’ evening a term at the children’s centre doubled attendance for families with a child in need. Has anyone tried home visits instead?', replies: [] }],
    },
    {
      fields: { name: 'Young carers leads', purpose: 'Young carers leads sharing cases in confidence, anonymised. By invitation only.', visibility: 'hidden', frameworkGroup: 'young-carers' },
      owner: 'practitioner',
      members: ['tom'],
      discussions: [{ title: 'Identification in primary schools', by: 'practitioner', body: 'Most of our young carers are found after Year 7. What has helped primary schools find them earlier?', replies: [{ by: 'tom', body: 'A question in the school nurse’s Year 5 check.' }] }],
    },
  ];
}

export async function loadDemoNetwork(db: Kysely<Schema>, log: (message: string) => void = () => undefined, clock: () => Date = () => new Date()): Promise<boolean> {
  const existing = await db.selectFrom('network_group').select('id').limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  const people = new Map<string, Person>();
  for (const role of ['leader', 'analyst', 'practitioner', 'setting-leader']) {
    const person = await personByEmail(db, `${role}@demo.invalid`);
    if (person === undefined) return false;
    people.set(role, person);
  }
  for (const entry of fictionalPeople) people.set(entry.email.split('.')[0]!, await fictionalPerson(db, entry));
  const who = (key: string) => people.get(key)!;
  const now = clock();
  const today = isoDateIn(now);

  const leedsPlan = await db.selectFrom('improvement_plan as p').innerJoin('organisation as o', 'o.id', 'p.organisation_id').select('p.id').where('p.la_code', '=', demoAuthorityCode).where('o.kind', '=', 'local-authority').orderBy('p.period_start', 'desc').executeTakeFirst();
  await saveProfile(db, demoAuthorityCode, { statement: 'Leeds is working to close the gaps for children in care, for pupils with poor attendance and for the poorest two-year-olds, with schools, children’s centres and health partners in each locality.\nTalk to us about the transition protocol and our two-year-old outreach.', planId: leedsPlan?.id ?? null }, 'Demo director of children’s services', today);
  await saveProfile(db, bradford, { statement: 'Bradford’s priority is early education take-up for two-year-olds and school readiness in the most deprived wards.', planId: null }, 'Amira Khan', today);
  await saveProfile(db, wakefield, { statement: 'Wakefield’s virtual school leads the region’s work on personal education plans.', planId: null }, 'Tom Hughes', today);
  await listContact(db, who('leader').userId, demoAuthorityCode, 'Director of Children’s Services (demo)');
  await listContact(db, who('analyst').userId, demoAuthorityCode, 'Performance analyst (demo)');

  // Each post a few hours after the one before, over the last three weeks, so the groups read as lived in.
  let moment = now.getTime() - 21 * 24 * 3_600_000;
  const next = () => new Date((moment += 5 * 3_600_000));
  for (const group of demoGroups('Leeds')) {
    const id = await createGroup(db, who(group.owner), group.fields);
    for (const member of group.members) {
      if (group.fields.visibility === 'open') await joinGroup(db, who(member), id);
      else {
        await invite(db, who(group.owner), id, (await db.selectFrom('user_account').select('email').where('id', '=', who(member).userId).executeTakeFirstOrThrow()).email);
        await joinGroup(db, who(member), id);
      }
    }
    if (group.document !== undefined) await shareDocument(db, who(group.document.by), id, { title: group.document.title, fileName: group.document.fileName, content: Buffer.from(group.document.content, 'utf8') }, 1_048_576);
    for (const discussion of group.discussions) {
      const started = await startDiscussion(db, who(discussion.by), id, { title: discussion.title, body: discussion.body }, next());
      for (const answer of discussion.replies) await reply(db, who(answer.by), id, started.discussionId, { body: answer.body, quotedPostId: answer.quoteFirst === true ? started.postId : undefined }, next());
    }
    if (group.event !== undefined) {
      const day = isoDateIn(new Date(now.getTime() + group.event.inDays * 24 * 3_600_000));
      const eventId = await addEvent(db, who(group.event.by), id, { title: group.event.title, description: group.event.description, date: day, startTime: '10:00', endTime: '12:30', place: group.event.place, onlineUrl: group.event.onlineUrl, capacity: group.event.capacity }, now);
      for (const member of group.event.going) await signUp(db, who(member), id, eventId, true, now);
    }
  }
  log('Demo mode: the network’s council pages and six communities of interest are ready.');
  return true;
}

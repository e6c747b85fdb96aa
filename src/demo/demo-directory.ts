/**
 * The demo's directory of services: about ninety clearly fictional services for Leeds across its
 * four demo localities, with deliberate gaps for coverage to find (East, the most deprived, has no
 * childcare and one parenting-support service; South has no community-access service; North is
 * well served in every strand), a few authority-wide phone and online services, and a few Bradford
 * services so that scoping shows. The demo's postcodes are fictional postcodes in the localities'
 * real districts; src/demo/demo-postcodes.csv (made by `demoPostcodeRows`) places them.
 */
import type { Kysely } from 'kysely';
import { demoAuthorityCode } from '../auth/demo.js';
import type { Schema } from '../db/schema.js';
import type { CoreOfferStrand } from '../directory/core-offer.js';
import { storeServices } from '../directory/open-referral.js';
import { loadPostcodeFile } from '../directory/postcodes.js';
import { recordFromInput } from '../directory/record-input.js';
import type { ServiceInput } from '../directory/record-input.js';
import { stableUuid } from '../directory/taxonomies.js';
import { sourcePath } from '../web/paths.js';
import { demoLocalityDistricts } from './demo-localities.js';

const bradford = 'E08000032';

/** Approximate centres of the districts the demo uses (fictional services are placed near them). */
const districtCentres: Record<string, [number, number]> = {
  LS16: [53.85, -1.6], LS17: [53.86, -1.53], LS18: [53.84, -1.64], LS19: [53.86, -1.68], LS20: [53.87, -1.71], LS21: [53.905, -1.69], LS22: [53.93, -1.39], LS23: [53.9, -1.35], LS29: [53.92, -1.82],
  LS3: [53.8, -1.57], LS4: [53.81, -1.58], LS5: [53.82, -1.6], LS6: [53.82, -1.57], LS12: [53.79, -1.59], LS13: [53.8, -1.64], LS27: [53.74, -1.6], LS28: [53.8, -1.67],
  LS1: [53.797, -1.548], LS2: [53.8, -1.54], LS10: [53.77, -1.53], LS11: [53.78, -1.55], LS24: [53.88, -1.26], LS25: [53.79, -1.3], LS26: [53.75, -1.45],
  LS7: [53.82, -1.53], LS8: [53.82, -1.5], LS9: [53.8, -1.51], LS14: [53.83, -1.45], LS15: [53.8, -1.44],
  BD1: [53.795, -1.75], BD3: [53.8, -1.73], BD8: [53.8, -1.78],
};

const places: Record<string, string[]> = {
  North: ['Adel Moor', 'Wharfe Bank', 'Holt Green', 'Cookridge Vale', 'Otley Mills', 'Aire Heights'],
  West: ['Bramley Fold', 'Armley Lane', 'Kirkstall Forge', 'Pudsey Park', 'Farnley Rise', 'Headingley Rows'],
  South: ['Holbeck Yard', 'Beeston Hill', 'Hunslet Green', 'Rothwell Gate', 'Middleton Wood', 'Garforth Cross'],
  East: ['Harehills Lane', 'Gipton Rise', 'Seacroft Green', 'Burmantofts Row', 'Chapeltown Park', 'Halton Moor'],
  Bradford: ['Manningham Square', 'Little Horton', 'Bradford Moor'],
};

const kinds: Record<CoreOfferStrand, { names: string[]; ages: [number | null, number | null]; tier: string; routes: string[]; cost: string[] }> = {
  childcare: { names: ['Day Nursery', 'Breakfast and After-School Club', 'Holiday Childcare', 'Childminding Network', 'Out-of-School Club', 'Early Years Place'], ages: [0, 11], tier: 'universal', routes: ['booking'], cost: ['£5.50 per hour', 'Free for funded two-year-olds', '£12 per session'] },
  'varied-activities': { names: ['Homework Club', 'Junior Football', 'Music Makers', 'Arts Club', 'Youth Club', 'Coding Club', 'Young Volunteers'], ages: [5, 16], tier: 'universal', routes: ['drop-in'], cost: ['Free', '£1 per session'] },
  'parenting-support': { names: ['Stay and Play', 'Parenting Programme', 'Family Learning', 'Dads’ Group', 'Baby Steps'], ages: [0, 11], tier: 'universal', routes: ['self-referral'], cost: ['Free'] },
  'swift-access': { names: ['Speech and Language Drop-in', 'Family Support Link Worker', 'Wellbeing Clinic', 'Early Help Hub'], ages: [0, 18], tier: 'targeted', routes: ['professional-referral', 'self-referral'], cost: ['Free'] },
  'community-access': { names: ['Community Sports Hall', 'Adult Learning Centre', 'ICT Suite', 'Community Room'], ages: [null, null], tier: 'universal', routes: ['booking'], cost: ['Free', '£8 per hour'] },
};

/** How many services of each strand each locality has: the gaps are deliberate. */
const provision: Record<string, Partial<Record<CoreOfferStrand, number>>> = {
  North: { childcare: 6, 'varied-activities': 7, 'parenting-support': 4, 'swift-access': 4, 'community-access': 4 },
  West: { childcare: 5, 'varied-activities': 7, 'parenting-support': 4, 'swift-access': 3, 'community-access': 4 },
  South: { childcare: 5, 'varied-activities': 7, 'parenting-support': 4, 'swift-access': 3 },
  East: { 'varied-activities': 5, 'parenting-support': 1, 'swift-access': 3, 'community-access': 4 },
  Bradford: { childcare: 1, 'parenting-support': 1, 'varied-activities': 1, 'community-access': 1 },
};

const targetedGroups = [['poorer-socio-economic-groups'], ['children-with-sen', 'children-with-disabilities'], ['young-carers'], ['not-fluent-in-english', 'asylum-seekers-refugees'], ['children-in-care']];
const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ';

/** A fictional postcode in the district, the nth of the demo's there. */
function demoPostcode(district: string, n: number): string {
  return `${district} ${(n % 9) + 1}${inwardLetters[(n * 7) % inwardLetters.length]}${inwardLetters[(n * 3 + 5) % inwardLetters.length]}`;
}

interface DemoService {
  laCode: string;
  input: ServiceInput;
}

function districtsOf(locality: string): string[] {
  if (locality === 'Bradford') return ['BD1', 'BD3', 'BD8'];
  return [...demoLocalityDistricts[demoAuthorityCode]!.find((entry) => entry.name === locality)!.districts];
}

/** Every demo service, built the same way each time. */
export function demoServices(): DemoService[] {
  const services: DemoService[] = [];
  let serial = 0;
  for (const [locality, counts] of Object.entries(provision)) {
    const laCode = locality === 'Bradford' ? bradford : demoAuthorityCode;
    const districts = districtsOf(locality);
    for (const [strand, count] of Object.entries(counts) as [CoreOfferStrand, number][]) {
      const kind = kinds[strand];
      for (let index = 0; index < count; index += 1) {
        serial += 1;
        const place = places[locality]![(index + serial) % places[locality]!.length]!;
        const district = districts[(index * 3 + serial) % districts.length]!;
        const name = `${place} ${kind.names[index % kind.names.length]!}`;
        const targeted = strand === 'swift-access' || (strand === 'parenting-support' && index % 2 === 1);
        services.push({
          laCode,
          input: {
            id: stableUuid(`demo-service/${laCode}/${name}`),
            name,
            description: `${kind.names[index % kind.names.length]!} for families around ${place}. A fictional service in the demo.`,
            status: 'active',
            organisationName: index % 3 === 0 ? `${place} Children’s Centre` : index % 3 === 1 ? `${place} Primary School` : `${place} Community Trust`,
            strands: [strand],
            groups: targeted ? targetedGroups[serial % targetedGroups.length]! : [],
            tier: targeted ? (strand === 'swift-access' && index % 2 === 1 ? 'specialist' : 'targeted') : kind.tier,
            statements: strand === 'childcare' ? ['T2-FRONTLINE-UNIVERSAL-01'] : strand === 'swift-access' ? ['T2-FRONTLINE-UNIVERSAL-03'] : [],
            referralRoutes: targeted ? ['professional-referral'] : kind.routes,
            minimumAge: kind.ages[0],
            maximumAge: kind.ages[1],
            cost: kind.cost[serial % kind.cost.length]!,
            openingTimes: ['Weekdays, 8am to 6pm', 'Mondays and Wednesdays, 9:30am to 11:30am', 'Saturdays, 10am to 1pm', 'Tuesdays and Thursdays, 3:30pm to 5:30pm'][serial % 4]!,
            phone: `0113 496 ${String(1000 + serial).slice(-4)}`,
            email: `${name.toLowerCase().replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')}@example.org`,
            website: `https://example.org/demo/${serial}`,
            locations: [{ id: stableUuid(`demo-location/${laCode}/${place}/${district}`), name: `${place} ${index % 2 === 0 ? 'Children’s Centre' : 'Community Centre'}`, address: `${(serial % 90) + 1} ${place} Road, ${locality === 'Bradford' ? 'Bradford' : 'Leeds'}`, postcode: demoPostcode(district, serial) }],
            authorityWide: false,
          },
        });
      }
    }
  }
  // Authority-wide lines: no place of their own, so coverage counts them everywhere.
  const lines: [string, CoreOfferStrand, string][] = [
    ['Leeds Family Information Line', 'swift-access', 'Advice by phone on services, childcare funding and early help, and a referral where it is needed.'],
    ['Leeds Early Help Advice Line', 'swift-access', 'Professionals and families talk through a worry with an early help practitioner.'],
    ['Online Homework Help', 'varied-activities', 'Live online tutors for homework, every school evening.'],
    ['Leeds Young People’s Activity Finder', 'varied-activities', 'An online guide to clubs and activities across the city.'],
  ];
  for (const [name, strand, description] of lines) {
    serial += 1;
    services.push({
      laCode: demoAuthorityCode,
      input: {
        id: stableUuid(`demo-service/${demoAuthorityCode}/${name}`),
        name,
        description: `${description} A fictional service in the demo.`,
        status: 'active',
        organisationName: 'Leeds City Council (demo)',
        strands: [strand],
        groups: [],
        tier: strand === 'swift-access' ? 'targeted' : 'universal',
        statements: [],
        referralRoutes: ['self-referral'],
        minimumAge: 0,
        maximumAge: 18,
        cost: 'Free',
        openingTimes: 'Weekdays, 9am to 5pm',
        phone: `0113 496 ${String(1000 + serial).slice(-4)}`,
        email: '',
        website: `https://example.org/demo/${serial}`,
        locations: [],
        authorityWide: true,
      },
    });
  }
  return services;
}

/** The demo postcodes with coordinates near their district's centre: the rows of src/demo/demo-postcodes.csv. */
export function demoPostcodeRows(): string[][] {
  const rows = new Map<string, string[]>();
  demoServices().forEach((service, index) => {
    for (const location of service.input.locations) {
      const [latitude, longitude] = districtCentres[location.postcode.split(' ')[0]!]!;
      rows.set(location.postcode, [location.postcode, (latitude + ((index % 7) - 3) * 0.002).toFixed(6), (longitude + ((index % 5) - 2) * 0.003).toFixed(6)]);
    }
  });
  // A postcode a family might type in the demo: in East (LS9), near Harehills.
  rows.set('LS9 8AB', ['LS9 8AB', '53.805000', '-1.505000']);
  return [['pcds', 'lat', 'long'], ...[...rows.values()].sort((a, b) => a[0]!.localeCompare(b[0]!))];
}

/** Loads the demo directory and its postcodes (the localities are demo-localities.ts's); an authority with services keeps its own. */
export async function loadDemoDirectory(db: Kysely<Schema>, log: (message: string) => void = () => undefined): Promise<void> {
  const postcodes = await db.selectFrom('directory_postcode').select('postcode').limit(1).executeTakeFirst();
  if (postcodes === undefined) await loadPostcodeFile(db, sourcePath('demo', 'demo-postcodes.csv'));
  const services = demoServices();
  for (const laCode of [demoAuthorityCode, bradford]) {
    const existing = await db.selectFrom('directory_service').select('id').where('la_code', '=', laCode).limit(1).executeTakeFirst();
    if (existing !== undefined) continue;
    const records = services.filter((service) => service.laCode === laCode).map((service) => recordFromInput(service.input, laCode, {}, new Date('2026-09-01T09:00:00Z')));
    await storeServices(db, laCode, records, 'the demo loader (fictional demo data)');
    log(`Demo mode: ${records.length} fictional services loaded into the directory of ${laCode}.`);
  }
}

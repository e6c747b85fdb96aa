import { stableUuid } from '../../src/directory/taxonomies.js';
import { attributeFor } from '../../src/directory/service-record.js';
import type { OrukService } from '../../src/directory/service-record.js';

/**
 * A fully nested Open Referral UK service as another council's system would send it: with fields
 * the directory does not use (languages, funding, a supplier's own field), which must survive.
 */
export function orukService(name: string, options: { strands?: string[]; postcode?: string | null; latitude?: number; longitude?: number; minimumAge?: number; maximumAge?: number; organisation?: string; extra?: Record<string, unknown> } = {}): OrukService {
  const id = stableUuid(`test-service/${name}`);
  const organisation = options.organisation ?? 'Chapeltown Family Trust';
  const locationId = stableUuid(`test-location/${name}`);
  return {
    id,
    name,
    description: `${name}: a fictional service for the tests.`,
    url: 'https://example.org/services',
    email: 'hello@example.org',
    status: 'active',
    minimum_age: options.minimumAge ?? 0,
    maximum_age: options.maximumAge ?? 11,
    alert: 'Closed on bank holidays',
    x_supplier_reference: { system: 'ExampleDirectory', ref: 1234 },
    organization: { id: stableUuid(`test-organisation/${organisation}`), name: organisation, description: 'A fictional charity', website: 'https://example.org' },
    languages: [{ id: stableUuid(`test-language/${name}`), name: 'Urdu', code: 'ur' }],
    funding: [{ id: stableUuid(`test-funding/${name}`), source: 'Grant' }],
    cost_options: [],
    schedules: [{ id: stableUuid(`test-schedule/${name}`), freq: 'WEEKLY', byday: 'MO,WE', opens_at: '09:00:00', closes_at: '15:00:00' }],
    phones: [{ id: stableUuid(`test-phone/${name}`), number: '0113 496 0000' }],
    service_at_locations:
      options.postcode === null
        ? []
        : [
            {
              id: stableUuid(`test-sal/${name}`),
              location: {
                id: locationId,
                location_type: 'physical',
                name: `${name} centre`,
                ...(options.latitude === undefined ? {} : { latitude: options.latitude, longitude: options.longitude }),
                addresses: [{ id: stableUuid(`test-address/${name}`), address_1: '1 Example Street', city: 'Leeds', state_province: 'West Yorkshire', postal_code: options.postcode ?? 'LS7 3AB', country: 'GB', address_type: 'physical' }],
                accessibility: [{ id: stableUuid(`test-access/${name}`), description: 'Step-free entrance' }],
              },
            },
          ],
    attributes: [
      ...(options.strands ?? ['parenting-support']).map((strand) => attributeFor(id, 'ntg-core-offer', strand)),
      { id: stableUuid(`test-foreign/${name}`), link_id: id, link_type: 'service', link_entity: 'service', taxonomy_term_id: 'esd-term-1', taxonomy_term: { id: 'esd-term-1', code: '123', name: 'Family support', taxonomy: 'esdServiceTypes' } },
    ],
  };
}

import { dimensions } from './signature.js';

const groupDimensions = dimensions.filter((entry) => entry.kind === 'group');

/** The setting aggregates' dimensions as SQL `values` rows: 'all' (membership 1 for everyone) and each group's two bits of the signature. */
export const dimensionValues = [`('all', -1)`, ...groupDimensions.map((entry) => `('${entry.id}', ${entry.shift})`)].join(', ');

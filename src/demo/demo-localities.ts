import type { Locality } from '../directory/localities.js';

/**
 * The postcode districts of the demo authority's localities (Leeds, with the demo settings'
 * localities North, West, South and East: src/demo/demo-settings.ts). The districts are Leeds's
 * real ones, grouped roughly by where they lie; the grouping is the demo's own.
 */
export const demoLocalityDistricts: readonly Locality[] = [
  { name: 'North', districts: ['LS16', 'LS17', 'LS18', 'LS19', 'LS20', 'LS21', 'LS22', 'LS23', 'LS29'] },
  { name: 'West', districts: ['LS3', 'LS4', 'LS5', 'LS6', 'LS12', 'LS13', 'LS27', 'LS28'] },
  { name: 'South', districts: ['LS1', 'LS2', 'LS10', 'LS11', 'LS24', 'LS25', 'LS26'] },
  { name: 'East', districts: ['LS7', 'LS8', 'LS9', 'LS14', 'LS15'] },
];

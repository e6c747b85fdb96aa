import { describe, expect, it } from 'vitest';
import { findItems, loadCatalogue } from '../../framework/catalogue.js';
import { groupForFilterValue, mappedGroupIds } from './groups.js';

describe('groupForFilterValue', () => {
  it('maps filter values only to groups of the framework catalogue', () => {
    const catalogueGroups = findItems(loadCatalogue(), { kind: 'group' }).map((group) => group.id);
    expect(catalogueGroups).toHaveLength(13);
    expect(mappedGroupIds.filter((id) => !catalogueGroups.includes(id))).toEqual([]);
  });

  it('matches a value whatever its case, spacing and kind of dash', () => {
    expect(groupForFilterValue('  looked–after   CHILDREN ')).toBe('children-in-care');
    expect(groupForFilterValue('Education, health and care plan')).toBe('children-with-sen');
  });

  it.each(['Not known to be eligible for FSM', 'FSM not eligible', 'Non-disadvantaged', 'All pupils', 'Total', 'Not looked after', 'No identified SEN', 'White British'])(
    'leaves %j untagged: a comparator, a total or no group',
    (value) => {
      expect(groupForFilterValue(value)).toBeUndefined();
    },
  );
});

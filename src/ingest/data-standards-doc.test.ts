import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { measures, standardColumns } from './child-standard.js';
import { parseMapping } from './mapping.js';
import { geographicLevels, requiredColumnsFor } from './statistics/standard.js';

const document = readFileSync(join(packageRoot, 'docs', 'data-standards.md'), 'utf8');

describe('docs/data-standards.md', () => {
  it('documents every column of the child-level standard', () => {
    for (const column of standardColumns) expect(document, column).toContain(`| \`${column}\` |`);
  });

  it('gives each measure the outcome, type and range the code checks', () => {
    for (const measure of measures) {
      const row = document.split('\n').find((line) => line.startsWith(`| \`${measure.name}\` |`) && line.includes(measure.type));
      expect(row, measure.name).toBeDefined();
      if (measure.min !== undefined) expect(row, measure.name).toContain(`${measure.min} to ${measure.max}`);
      expect(row, measure.name).toContain(measure.polarity === 'higher-is-better' ? 'higher' : 'lower');
    }
  });

  it('lists every geographic level of published statistics with the columns its rows need and whether it loads among other levels', () => {
    for (const level of geographicLevels) {
      const row = document.split('\n').find((line) => line.trim().startsWith(`| ${level.name} |`));
      expect(row, level.name).toBeDefined();
      for (const column of requiredColumnsFor(level)) expect(row, level.name).toContain(`\`${column}\``);
      expect(row, level.name).toContain(level.soloOnly ? 'alone' : 'always');
    }
  });

  it('ships a template with exactly the standard’s columns and a mapping example that loads', () => {
    expect(readFileSync(join(packageRoot, 'docs', 'templates', 'child-level-template.csv'), 'utf8')).toBe(`${standardColumns.join(',')}\n`);
    expect(parseMapping(readFileSync(join(packageRoot, 'docs', 'templates', 'mapping-example.csv')))).toHaveLength(2);
  });
});

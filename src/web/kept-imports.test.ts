import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { afterAll, describe, expect, it } from 'vitest';
import { keepImportedMacros } from './kept-imports.js';

describe('imported macros kept between renders', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ntg-kept-imports-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'macros.njk'), '{% macro hello(name) %}Hello, {{ name }}{% if suffix %}{{ suffix }}{% endif %}{% endmacro %}');
  writeFileSync(join(folder, 'page.njk'), '{% from "macros.njk" import hello %}{{ hello(who) }}');
  writeFileSync(join(folder, 'page-with-context.njk'), '{% from "macros.njk" import hello with context %}{{ hello(who) }}');

  it('runs an imported template once, and gives the same page every time', () => {
    keepImportedMacros();
    const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(folder), { autoescape: true });
    const template = environment.getTemplate('macros.njk') as unknown as { compile: () => void; rootRenderFunc: (...args: unknown[]) => void };
    template.compile();
    let runs = 0;
    const run = template.rootRenderFunc;
    template.rootRenderFunc = function counted(this: unknown, ...args: unknown[]) {
      runs++;
      run.apply(this, args);
    };
    expect(environment.render('page.njk', { who: 'Leeds' })).toBe('Hello, Leeds');
    expect(environment.render('page.njk', { who: '<b>Bradford</b>' })).toBe('Hello, &lt;b&gt;Bradford&lt;/b&gt;');
    expect(runs).toBe(1);
  });

  it('still runs an import with context every time, as it may read the page’s variables', () => {
    keepImportedMacros();
    const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(folder), { autoescape: true });
    expect(environment.render('page-with-context.njk', { who: 'Leeds', suffix: '!' })).toBe('Hello, Leeds!');
    expect(environment.render('page-with-context.njk', { who: 'York', suffix: '?' })).toBe('Hello, York?');
  });
});

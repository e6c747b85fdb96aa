/**
 * Who may do what: the one table of roles, actions and scopes. Every route declares the action it
 * needs (see `routePermission`); docs/permissions.md is generated from this table and a test keeps
 * the two equal.
 */

export const roles = [
  'platform-admin',
  'national-moderator',
  'regional-adviser',
  'authority-admin',
  'analyst',
  'leader',
  'practitioner',
  'setting-leader',
  'practice-reviewer',
  'contributor',
] as const;
export type Role = (typeof roles)[number];

export const actions = [
  'aggregates:read',
  'child-records:read',
  'child-records:act',
  'child-records:break-glass',
  'imports:write',
  'statistics:publish',
  'assessments:read',
  'assessments:write',
  'assessments:sign-off',
  'assessments:moderate',
  'framework:review',
  'plans:write',
  'practice:submit',
  'practice:moderate',
  'practice:review',
  'directory:write',
  'surveys:write',
  'surveys:read-answers',
  'users:manage',
  'audit:read',
  'platform:administer',
] as const;
export type Action = (typeof actions)[number];

/**
 * How far a grant reaches from the organisation the role is held in:
 * `organisation` the organisation itself (a setting: its own pupils); `authority` the local
 * authority the organisation belongs to; `region` the region; `england` everywhere.
 */
export const scopes = ['organisation', 'authority', 'region', 'england'] as const;
export type Scope = (typeof scopes)[number];

/**
 * What a route needs: nothing (`public`); a session, even one still owing its second factor
 * (`session`: the second-factor pages themselves); a fully signed-in account (`signed-in`); or an action.
 */
export type RoutePermission = 'public' | 'session' | 'signed-in' | Action;

export const roleDescriptions: Record<Role, string> = {
  'platform-admin': 'Runs the service: manages organisations and accounts everywhere, and may load national published statistics. Sees no child-level data.',
  'national-moderator': 'The national team: moderates practice submissions, reviews proposed changes to the framework, reads aggregates for England and loads the national published statistics every authority compares with.',
  'regional-adviser': 'Supports the authorities of one region: reads their aggregates (small numbers suppressed) and assessments, and moderates assessments when invited.',
  'authority-admin': 'Manages the accounts and roles of one local authority and reads its audit log.',
  analyst: 'A performance analyst of one local authority: loads data and reads its child-level records and gaps.',
  leader: 'A director of children’s services or board member: reads dashboards, writes and signs off assessments and plans, and moderates a peer authority’s assessment when invited.',
  practitioner: 'A lead professional: reads the child-level records of the authority’s children, works their work lists and, in an emergency, breaks the glass to see one child of a neighbouring authority.',
  'setting-leader': 'A head teacher or children’s centre manager: reads the records of the setting’s own pupils, works the setting’s work lists and handovers, writes and signs off the setting’s own self-assessments, and writes its improvement plan.',
  'practice-reviewer': 'Reviews practice submissions the national team assigns: rates each one blind, against the published criteria.',
  contributor: 'Anyone who registers to submit practice to the call for evidence.',
};

export const actionDescriptions: Record<Action, string> = {
  'aggregates:read': 'Read gaps, dashboards and other aggregate figures (small numbers suppressed unless the viewer may also read child-level records for that scope)',
  'child-records:read': 'Read records about individual children (every read is audited)',
  'child-records:act': 'Record what was done about a child on a work list, and confirm the handover of a child arriving from another setting (never edits the loaded records)',
  'child-records:break-glass': 'In an emergency, read one child’s records outside the usual reach for a few hours, giving a reason that the child’s authority’s administrators are shown',
  'imports:write': 'Load child-level files and restore earlier imports; load published statistics as the authority’s own files, used only where it chooses them',
  'statistics:publish': 'Load the published statistics every authority compares with (England, regions, other authorities)',
  'assessments:read': 'Read self-assessments and improvement plans',
  'assessments:write': 'Write self-assessments (ratings, evidence, next steps) and propose changes to the framework (the reality check)',
  'assessments:sign-off': 'Sign off a submitted self-assessment as the organisation’s leader, after which it is read-only',
  'assessments:moderate': 'Moderate another organisation’s self-assessment when invited to: rate blind, then agree ratings',
  'framework:review': 'Review the reality check: accept, reject or merge proposed changes to the framework, publishing new catalogue versions',
  'plans:write': 'Write improvement and turn-the-curve plans (a setting’s leader: the setting’s own improvement plan)',
  'practice:submit': 'Submit practice to the call for evidence',
  'practice:moderate': 'Screen practice submissions, assign their reviewers, record the panel’s decision and compile the digest',
  'practice:review': 'Review the practice submissions one is assigned, rating each blind against the published criteria',
  'directory:write': 'Edit the authority’s directory of services (the local offer): add, change and withdraw services, import and export them, and define its localities',
  'surveys:write': 'Build, publish and close surveys of children and parents, and import results gathered elsewhere',
  'surveys:read-answers': 'Read the free-text answers to the authority’s surveys (anonymous, but possibly identifying) and approve quotations for publication',
  'users:manage': 'Invite accounts, grant and revoke roles, deactivate accounts, see sessions',
  'audit:read': 'Search and export the audit log',
  'platform:administer': 'Manage organisations and service-wide settings',
};

export const permissionTable: Record<Role, Partial<Record<Action, Scope>>> = {
  'platform-admin': { 'users:manage': 'england', 'audit:read': 'england', 'platform:administer': 'england', 'aggregates:read': 'england', 'statistics:publish': 'england' },
  'national-moderator': {
    'practice:moderate': 'england',
    'practice:review': 'england',
    'practice:submit': 'england',
    'aggregates:read': 'england',
    'assessments:read': 'england',
    'framework:review': 'england',
    'statistics:publish': 'england',
  },
  'regional-adviser': { 'aggregates:read': 'region', 'assessments:read': 'region', 'assessments:moderate': 'region', 'practice:submit': 'england' },
  'authority-admin': { 'users:manage': 'authority', 'audit:read': 'authority', 'aggregates:read': 'authority', 'assessments:read': 'authority', 'directory:write': 'authority' },
  analyst: {
    'aggregates:read': 'england',
    'child-records:read': 'authority',
    'imports:write': 'authority',
    'assessments:read': 'authority',
    'assessments:write': 'authority',
    'plans:write': 'authority',
    'practice:submit': 'england',
    'directory:write': 'authority',
    'surveys:write': 'authority',
    'surveys:read-answers': 'authority',
  },
  leader: {
    'aggregates:read': 'england',
    'assessments:read': 'authority',
    'assessments:write': 'authority',
    'assessments:sign-off': 'authority',
    'assessments:moderate': 'england',
    'plans:write': 'authority',
    'practice:submit': 'england',
    'surveys:write': 'authority',
    'surveys:read-answers': 'authority',
  },
  practitioner: { 'child-records:read': 'authority', 'child-records:act': 'authority', 'child-records:break-glass': 'region', 'aggregates:read': 'authority', 'practice:submit': 'england', 'directory:write': 'authority' },
  'setting-leader': {
    'child-records:read': 'organisation',
    'child-records:act': 'organisation',
    'aggregates:read': 'authority',
    'assessments:read': 'organisation',
    'assessments:write': 'organisation',
    'assessments:sign-off': 'organisation',
    'plans:write': 'organisation',
    'practice:submit': 'england',
  },
  'practice-reviewer': { 'practice:review': 'england', 'practice:submit': 'england' },
  contributor: { 'practice:submit': 'england' },
};

/** Roles whose holders must use a second factor: any that reads child-level data, and administrators. */
export function requiresSecondFactor(role: Role): boolean {
  const grants = permissionTable[role];
  return grants['child-records:read'] !== undefined || grants['users:manage'] !== undefined || grants['platform:administer'] !== undefined;
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** The scope in which a role may take an action, or undefined when it may not. */
export function scopeOf(role: Role, action: Action): Scope | undefined {
  return permissionTable[role][action];
}

/** The permission table as the Markdown of docs/permissions.md. */
export function permissionsMarkdown(): string {
  const header = `| Role | ${actions.map((action) => `\`${action}\``).join(' | ')} | Second factor |`;
  const rule = `| --- | ${actions.map(() => '---').join(' | ')} | --- |`;
  const rows = roles.map(
    (role) => `| \`${role}\` | ${actions.map((action) => permissionTable[role][action] ?? '–').join(' | ')} | ${requiresSecondFactor(role) ? 'required' : 'optional'} |`,
  );
  return [header, rule, ...rows].join('\n');
}

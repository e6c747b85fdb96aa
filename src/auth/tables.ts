import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export type OrganisationKind = 'national' | 'region' | 'local-authority' | 'setting' | 'partner';
export type AccountStatus = 'invited' | 'active' | 'deactivated';

export interface OrganisationTable {
  id: Generated<string>;
  kind: OrganisationKind;
  name: string;
  /** GSS code of a region or local authority. */
  area_code: string | null;
  /** Unique reference number of a setting. */
  urn: string | null;
  /** GSS code of the owning local authority (the authority itself, or a setting's or partner's). */
  la_code: string | null;
  /** For a setting: school, childrens-centre, early-years or other. */
  setting_kind: ColumnType<string | null, string | null | undefined, string | null>;
  phase: ColumnType<string | null, string | null | undefined, string | null>;
  /** For a setting: the authority's own area it belongs to (locality, district, cluster), if it uses them. */
  locality: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface UserAccountTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string | null;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  totp_secret: string | null;
  totp_confirmed_at: NullableTimestamp;
  /** The 30-second step of the last one-time code used; a code at or before it is refused. */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: CreatedAt;
  last_sign_in_at: NullableTimestamp;
  /** The organisation a self-registered contributor says they belong to: their own words, unchecked, granting nothing (migration 0021). */
  stated_organisation: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MembershipTable {
  user_id: string;
  organisation_id: string;
  role: string;
  granted_at: CreatedAt;
  granted_by: string | null;
}

/** A role offered to someone who already has an account: it grants nothing until they accept it. */
export interface MembershipInvitationTable {
  id: Generated<string>;
  user_id: string;
  organisation_id: string;
  role: string;
  invited_by: string | null;
  invited_at: CreatedAt;
  expires_at: Timestamp;
  decided_at: NullableTimestamp;
  outcome: ColumnType<'accepted' | 'declined' | 'withdrawn' | null, 'accepted' | 'declined' | 'withdrawn' | null | undefined, 'accepted' | 'declined' | 'withdrawn' | null>;
}

/** A setting's move from one authority to another: asked by one side, confirmed by the other. */
export interface SettingMoveTable {
  id: Generated<string>;
  organisation_id: string;
  from_la_code: string;
  to_la_code: string;
  requested_by: string | null;
  requested_by_email: string;
  requested_for_la_code: string;
  requested_at: CreatedAt;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  decided_at: NullableTimestamp;
  outcome: ColumnType<'moved' | 'declined' | 'withdrawn' | null, 'moved' | 'declined' | 'withdrawn' | null | undefined, 'moved' | 'declined' | 'withdrawn' | null>;
}

export interface UserSessionTable {
  id_hash: string;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  second_factor_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface SignInThrottleTable {
  key: string;
  window_started_at: Timestamp;
  failures: number;
  locked_until: NullableTimestamp;
}

export interface OneTimeTokenTable {
  token_hash: string;
  purpose: 'password-reset' | 'invitation' | 'email-verification';
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
}

export interface PersonalAccessTokenTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  /** Space-separated permissions the token may use (a subset of its owner's). */
  scopes: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface AuditLogTable {
  seq: ColumnType<string, number, never>;
  at: ColumnType<Date, Date, never>;
  actor_user_id: string | null;
  actor_email: string | null;
  organisation_id: string | null;
  la_code: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  previous_hash: string;
  hash: string;
  /** 1: SHA-256 chain (entries before migration 0010); 2: HMAC-SHA256 under the audit key. */
  chain: ColumnType<number, number, never>;
  /** The id of the audit key a chain-2 entry was written under. */
  key_id: ColumnType<string | null, string | null, never>;
}

export interface MailOutboxTable {
  id: Generated<string>;
  to_address: string;
  subject: string;
  body: string;
  created_at: CreatedAt;
}

export interface AuthTables {
  organisation: OrganisationTable;
  user_account: UserAccountTable;
  membership: MembershipTable;
  membership_invitation: MembershipInvitationTable;
  setting_move: SettingMoveTable;
  user_session: UserSessionTable;
  sign_in_throttle: SignInThrottleTable;
  one_time_token: OneTimeTokenTable;
  recovery_code: RecoveryCodeTable;
  personal_access_token: PersonalAccessTokenTable;
  audit_log: AuditLogTable;
  mail_outbox: MailOutboxTable;
}

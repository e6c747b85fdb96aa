import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A tsvector: written as SQL (`to_tsvector(...)`, typed as text), never read back into the service. */
type SearchVector = ColumnType<never, string, string>;

export const groupVisibilities = ['open', 'restricted', 'hidden'] as const;
export type GroupVisibility = (typeof groupVisibilities)[number];

export const memberRoles = ['owner', 'moderator', 'member'] as const;
export type MemberRole = (typeof memberRoles)[number];

/** A member; someone who asked to join a restricted group; someone invited to a hidden (or any) group. */
export const memberStates = ['member', 'requested', 'invited'] as const;
export type MemberState = (typeof memberStates)[number];

export const digestFrequencies = ['off', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof digestFrequencies)[number];

export interface NetworkProfileTable {
  la_code: string;
  statement: ColumnType<string, string | undefined, string>;
  published_plan_id: Optional<string>;
  updated_by_label: string;
  updated_at: Timestamp;
}

export interface NetworkContactTable {
  user_id: string;
  la_code: string;
  job_title: string;
  listed_at: Timestamp;
}

export interface NetworkGroupTable {
  id: Generated<string>;
  name: string;
  purpose: string;
  visibility: GroupVisibility;
  theme: Optional<string>;
  framework_group: Optional<string>;
  threads: ColumnType<string[], string[] | undefined, string[]>;
  templates: ColumnType<number[], number[] | undefined, number[]>;
  created_by: Optional<string>;
  created_at: CreatedAt;
  last_activity_at: Timestamp;
}

export interface NetworkMembershipTable {
  group_id: string;
  user_id: string;
  role: ColumnType<MemberRole, MemberRole | undefined, MemberRole>;
  state: MemberState;
  invited_by: Optional<string>;
  since: Timestamp;
}

export interface NetworkDiscussionTable {
  id: Generated<string>;
  group_id: string;
  title: string;
  started_by: Optional<string>;
  started_at: CreatedAt;
  last_post_at: Timestamp;
  posts: ColumnType<number, number | undefined, number>;
}

export interface NetworkPostTable {
  id: Generated<string>;
  discussion_id: string;
  group_id: string;
  author_id: Optional<string>;
  author_label: string;
  body: string;
  quoted_post_id: Optional<string>;
  posted_at: CreatedAt;
  hidden_at: Optional<Date>;
  hidden_by_label: Optional<string>;
  hidden_reason: Optional<string>;
  search_vector: SearchVector;
  /** When the post was posted or last hidden: what the search index reads changes by. */
  changed_at: Timestamp;
}

export interface NetworkPostReportTable {
  id: Generated<string>;
  post_id: string;
  reported_by: Optional<string>;
  reason: string;
  reported_at: CreatedAt;
  resolved_at: Optional<Date>;
  resolved_by_label: Optional<string>;
}

export interface NetworkDocumentTable {
  id: Generated<string>;
  group_id: string;
  title: string;
  added_by: Optional<string>;
  added_at: CreatedAt;
  search_vector: SearchVector;
}

export interface NetworkDocumentVersionTable {
  document_id: string;
  version: number;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  note: ColumnType<string, string | undefined, string>;
  uploaded_by_label: string;
  uploaded_at: CreatedAt;
}

export interface NetworkEventTable {
  id: Generated<string>;
  group_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  starts_at: Date;
  ends_at: Date;
  place: Optional<string>;
  online_url: Optional<string>;
  capacity: Optional<number>;
  created_by: Optional<string>;
  created_at: CreatedAt;
}

export interface NetworkEventSignupTable {
  event_id: string;
  user_id: string;
  signed_up_at: CreatedAt;
}

export interface NetworkWatchTable {
  user_id: string;
  group_id: string;
  discussion_id: Optional<string>;
  since: CreatedAt;
}

export interface NetworkNotificationTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  group_id: string;
  discussion_id: Optional<string>;
  post_id: Optional<string>;
  kind: string;
  summary: string;
  created_at: CreatedAt;
  read_at: Optional<Date>;
  emailed_at: Optional<Date>;
}

export interface NetworkDigestPreferenceTable {
  user_id: string;
  frequency: DigestFrequency;
  unsubscribe_token: string;
  last_sent_at: Optional<Date>;
}

export interface NetworkTables {
  network_profile: NetworkProfileTable;
  network_contact: NetworkContactTable;
  network_group: NetworkGroupTable;
  network_membership: NetworkMembershipTable;
  network_discussion: NetworkDiscussionTable;
  network_post: NetworkPostTable;
  network_post_report: NetworkPostReportTable;
  network_document: NetworkDocumentTable;
  network_document_version: NetworkDocumentVersionTable;
  network_event: NetworkEventTable;
  network_event_signup: NetworkEventSignupTable;
  network_watch: NetworkWatchTable;
  network_notification: NetworkNotificationTable;
  network_digest_preference: NetworkDigestPreferenceTable;
}

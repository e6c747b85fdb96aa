import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Schema } from '../db/schema.js';

export interface Message {
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  send(message: Message): Promise<void>;
  /** True when messages stay in the service's outbox (no SMTP server): the demo shows them at /outbox. */
  readonly keepsOutbox: boolean;
}

/** Sends through the SMTP server in NTG_SMTP_URL. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    keepsOutbox: false,
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.body });
    },
  };
}

/**
 * Without SMTP, messages go to the outbox table, shown on the outbox page in demo mode. The log says
 * a message was kept, never its body: links in it carry single-use tokens.
 */
export function outboxMailer(db: Kysely<Schema>, log: FastifyBaseLogger): Mailer {
  return {
    keepsOutbox: true,
    async send(message) {
      await db.insertInto('mail_outbox').values({ to_address: message.to, subject: message.subject, body: message.body }).execute();
      log.info({ to: message.to, subject: message.subject }, 'message kept in the outbox (no SMTP server configured)');
    },
  };
}

/**
 * The send-email handler: a welcome email through nodemailer over SMTP, to the demo's own mail
 * server. A 4xx answer (try again later) is thrown as is and retried with the task's backoff; a
 * 5xx answer (mailbox unknown, message refused) will not change on retry, so it fails at once.
 */
import { NonRetryableError, type JobContext } from 'errand';
import nodemailer from 'nodemailer';
import type { SentEmail } from './declarations.ts';

export const SENDER = 'errand demo <hello@errand.example>';

export function sendEmailHandler(smtp: { host: string; port: number }) {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    ignoreTLS: true, // a loopback server without certificates; a real provider needs TLS
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return async ({ to, name }: { to: string; name: string }, ctx: JobContext): Promise<SentEmail> => {
    try {
      const info = await transport.sendMail({
        from: SENDER,
        to: { name, address: to },
        subject: `Welcome to the errand demo, ${name}`,
        text: [
          `Hello ${name},`,
          '',
          'Thanks for signing up. The page answered before this email was sent: a worker sent it,',
          `in attempt ${ctx.attempt} of at most ${ctx.maxAttempts}.`,
          '',
          'errand',
        ].join('\n'),
      });
      return { messageId: info.messageId, response: info.response };
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500) {
        throw new NonRetryableError(
          `the mail server refused the message for good: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  };
}

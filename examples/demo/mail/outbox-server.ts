/**
 * The demo's own mail server (SMTP on a loopback port): it keeps every message it accepts, for the
 * Outbox page, and refuses a share of deliveries on purpose with a 451 ("try again later"), so
 * retries can be watched. It stands in for a mail provider: slow to answer, sometimes unavailable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedMessage {
  /** 1 for the first message accepted. */
  number: number;
  receivedAt: Date;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** The share of deliveries the server refuses: the Outbox page's switch. */
export const FAILURE_RATES = [0, 0.5, 1] as const;
export type FailureRate = (typeof FAILURE_RATES)[number];

const KEEP_MESSAGES = 200;

export interface OutboxServer {
  readonly port: number;
  /** Newest first, the last 200. */
  messages(): readonly ReceivedMessage[];
  readonly failureRate: FailureRate;
  setFailureRate(rate: FailureRate): void;
  /** Deliveries accepted and refused since the server started. */
  counts(): { accepted: number; refused: number };
  close(): Promise<void>;
}

export async function startOutboxServer(options: { port: number; latencyMs: number }): Promise<OutboxServer> {
  const messages: ReceivedMessage[] = [];
  let accepted = 0;
  let refused = 0;
  let failureRate: FailureRate = 0;
  // Refusals are spread evenly rather than drawn at random: at 50% every other delivery fails,
  // starting with the first after the switch is set, so what a person (or a test) sees is predictable.
  let deliveriesSinceSwitch = 0;
  const shouldRefuse = () => {
    deliveriesSinceSwitch++;
    return (
      Math.ceil(deliveriesSinceSwitch * failureRate) > Math.ceil((deliveriesSinceSwitch - 1) * failureRate)
    );
  };

  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'], // loopback only
    logger: false,
    onData(stream: SMTPServerDataStream, session, callback) {
      const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', ');
      simpleParser(stream)
        .then(async (parsed) => {
          await sleep(options.latencyMs);
          if (shouldRefuse()) {
            refused++;
            callback(
              Object.assign(
                new Error('4.3.0 Mail server busy, try again later (the demo failure switch is on)'),
                {
                  responseCode: 451,
                },
              ),
            );
            return;
          }
          accepted++;
          messages.unshift({
            number: accepted,
            receivedAt: new Date(),
            from: parsed.from?.text ?? '',
            to: envelopeTo,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          messages.length = Math.min(messages.length, KEEP_MESSAGES);
          callback(null, `OK: message ${accepted} kept in the outbox`);
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => console.error('outbox mail server:', error.message));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages: () => messages,
    get failureRate() {
      return failureRate;
    },
    setFailureRate(rate) {
      failureRate = rate;
      deliveriesSinceSwitch = 0;
    },
    counts: () => ({ accepted, refused }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** GET / shows the sign-up form; POST /signup enqueues the welcome email and redirects back at once. */
import { InputValidationError } from 'errand';
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { app as errand, sendEmail } from '../../tasks/declarations.ts';
import type { WebEnv } from '../env.ts';
import { jobView } from '../job-view.ts';
import { signUpPage, type SignUpPageData } from '../pages/signup-page.ts';
import { renderPage } from '../render.ts';
import { justQueued } from './just-queued.ts';

export const signUpRoutes = new Hono<WebEnv>();

signUpRoutes.get('/', async (c) => {
  const queued = await justQueued(c, 'send-email');
  return show(c, {
    values: { name: '', email: '' },
    errors: {},
    justQueued: queued && {
      job: jobView(queued.job),
      name: (queued.job.input as { name: string }).name,
      responseMs: queued.responseMs,
    },
  });
});

signUpRoutes.post('/signup', csrf(), async (c) => {
  const startedAt = performance.now();
  const form = await c.req.parseBody();
  const text = (field: string) => (typeof form[field] === 'string' ? form[field] : '');
  const values = { name: text('name'), email: text('email').trim() };
  try {
    // The whole point: enqueue (a few milliseconds) instead of talking to the mail server here.
    const handle = await sendEmail.enqueue({ to: values.email, name: values.name });
    const responseMs = performance.now() - startedAt;
    return c.redirect(`/?job=${encodeURIComponent(handle.id)}&ms=${responseMs.toFixed(2)}`, 303);
  } catch (error) {
    if (!(error instanceof InputValidationError)) throw error;
    return show(c, { values, errors: fieldErrors(error), justQueued: null }, 422);
  }
});

async function show(c: Context<WebEnv>, data: Omit<SignUpPageData, 'recentEmails'>, status?: 422) {
  const { jobs } = await errand.jobs({ task: sendEmail.name, limit: 6 });
  const recentEmails = jobs.map((job) => jobView(job));
  return renderPage(c, { title: 'Sign up', path: '/' }, signUpPage({ ...data, recentEmails }), status);
}

/** The schema's messages by form field: the task's input calls the email field `to`. */
function fieldErrors(error: InputValidationError): SignUpPageData['errors'] {
  const errors: SignUpPageData['errors'] = {};
  for (const issue of error.issues) {
    const key = issue.path?.[0];
    const field = typeof key === 'object' ? key.key : key;
    if (field === 'to') errors.email ??= `This ${issue.message}.`;
    else if (field === 'name') errors.name ??= `The name ${issue.message}.`;
    else errors.form ??= issue.message;
  }
  return errors;
}

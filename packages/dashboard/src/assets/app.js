// errand dashboard: the client script. Pages are rendered on the server; this script only
// (1) sends actions as POSTs carrying the page's CSRF token, and (2) keeps the page current by
// fetching it again every few seconds and swapping its <main id="live">.

const csrf = document.querySelector('meta[name="errand-csrf"]')?.content ?? '';
const refreshMs = Number(document.querySelector('meta[name="errand-refresh"]')?.content ?? 0);
const status = document.getElementById('live-status');
const toast = document.getElementById('toast');

let toastTimer;
function showToast(message, ok) {
  if (!toast) return;
  toast.textContent = message;
  toast.className = ok ? 'show ok' : 'show bad';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.className = ''), 4000);
}

document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (!button) return;
  event.preventDefault();
  const question = button.getAttribute('data-confirm');
  if (question && !window.confirm(question)) return;
  button.disabled = true;
  try {
    const response = await fetch(button.getAttribute('data-action'), {
      method: 'POST',
      headers: { 'X-Errand-Csrf': csrf },
      credentials: 'same-origin',
    });
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json')
      ? await response.json()
      : { ok: false, message: await response.text() };
    showToast(body.message, response.ok && body.ok);
    if (body.redirect) {
      window.location.assign(body.redirect);
      return;
    }
    await refresh();
  } catch (error) {
    showToast(`The action did not reach the server: ${error.message}`, false);
  } finally {
    button.disabled = false;
  }
});

// Filters apply as soon as a select changes.
document.addEventListener('change', (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.form?.classList.contains('filters'))
    select.form.requestSubmit();
});

let refreshing = false;
async function refresh() {
  const live = document.getElementById('live');
  if (!live || refreshing) return;
  // Not while the reader is choosing a filter: the swap would close the select under them.
  const focused = document.activeElement;
  if (focused && live.contains(focused) && focused.matches('select, input, textarea')) return;
  refreshing = true;
  try {
    const response = await fetch(window.location.href, {
      credentials: 'same-origin',
    });
    if (!response.ok && response.status !== 404) throw new Error(`HTTP ${response.status}`);
    const next = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
    if (next && next.innerHTML !== live.innerHTML) {
      // Keep what the reader opened (a stack trace) open across the swap.
      const open = new Set([...live.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key));
      for (const details of next.querySelectorAll('details[data-key]')) {
        if (open.has(details.dataset.key)) details.open = true;
      }
      live.replaceChildren(...next.childNodes);
    }
    if (status) {
      status.textContent = `live · ${new Date().toLocaleTimeString()}`;
      status.classList.remove('offline');
    }
  } catch {
    if (status) {
      status.textContent = 'offline';
      status.classList.add('offline');
    }
  } finally {
    refreshing = false;
  }
}

if (refreshMs > 0) {
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, refreshMs);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh();
  });
}

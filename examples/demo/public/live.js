/* global document, fetch, DOMParser, location */
// The demo pages' only script, with no framework: it follows each job on the page (an element with
// data-job-id) by polling /api/jobs/:id until the job finishes, and refreshes the sections marked
// data-live-section (the outbox, the schedules) from the server every few seconds. It only ever
// sets text and attributes, never HTML from a job.

const JOB_POLL_MS = 300;
const SECTION_POLL_MS = 2000;

function followJob(element) {
  const update = async () => {
    let view = null;
    try {
      const response = await fetch(`/api/jobs/${encodeURIComponent(element.dataset.jobId)}`);
      if (response.status === 404) return; // pruned: nothing more to show
      if (response.ok) view = await response.json();
    } catch {
      // the server restarted or the network blinked: try again on the next round
    }
    if (view) show(element, view);
    if (!view || !view.finished) setTimeout(update, JOB_POLL_MS);
  };
  if (element.dataset.finished !== 'true') setTimeout(update, JOB_POLL_MS);
}

function show(element, view) {
  const field = (name) => element.querySelector(`[data-field="${name}"]`);
  const state = field('state');
  if (state) {
    state.textContent = view.state;
    state.className = `state state-${view.state}`;
  }
  const summary = field('summary');
  if (summary) summary.textContent = view.summary;
  const progress = field('progress');
  if (progress && view.percent !== null) {
    progress.value = view.percent;
    progress.setAttribute('value', String(view.percent));
    progress.textContent = `${view.percent}%`;
  }
  const download = field('download');
  if (download && view.downloadUrl) {
    download.href = view.downloadUrl;
    download.hidden = false;
  }
  element.dataset.finished = String(view.finished);
}

function refreshSection(section) {
  const name = section.dataset.liveSection;
  const refresh = async () => {
    try {
      const response = await fetch(location.href, { headers: { Accept: 'text/html' } });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), 'text/html');
        const fresh = page.querySelector(`[data-live-section="${name}"]`);
        // The server escaped this HTML when it rendered the page; it is the same markup as on load.
        if (fresh) section.replaceChildren(...document.adoptNode(fresh).childNodes);
      }
    } catch {
      // try again on the next round
    }
    setTimeout(refresh, SECTION_POLL_MS);
  };
  setTimeout(refresh, SECTION_POLL_MS);
}

document.querySelectorAll('[data-job-id]').forEach(followJob);
document.querySelectorAll('[data-live-section]').forEach(refreshSection);

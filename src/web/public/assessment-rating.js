// Save as you go on a self-assessment rating form (progressive enhancement: the form posts
// normally without this file). When a field changes, the form is sent in the background with
// `Accept: application/json`; the page keeps the version the service answers with, so the next
// save names it. A stale save (someone else saved in between) stops saving as you go and says so.

const delayMs = 1200;

/** A time as GOV.UK writes it: 2:13pm. */
function timeNow(date) {
  const hours = date.getHours();
  return `${hours % 12 === 0 ? 12 : hours % 12}:${String(date.getMinutes()).padStart(2, '0')}${hours < 12 ? 'am' : 'pm'}`;
}

function enhance(form) {
  const status = form.querySelector('[data-ntg-autosave-status]');
  const version = form.querySelector('input[name="version"]');
  if (!status || !version || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  let timer;
  let stopped = false;
  let sending = false;
  let again = false;

  const say = (text, problem) => {
    status.textContent = text;
    status.classList.toggle('ntg-autosave-status--problem', Boolean(problem));
  };

  const save = async () => {
    if (stopped) return;
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: 'same-origin',
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok && answer.saved) {
        version.value = String(answer.version);
        say(`Saved at ${timeNow(new Date(answer.updatedAt || Date.now()))}`);
      } else if (response.status === 409 && answer.conflict) {
        stopped = true;
        const who = answer.current && answer.current.updatedBy ? answer.current.updatedBy : 'Someone else';
        status.textContent = '';
        const text = document.createElement('span');
        text.textContent = `${who} saved this statement while you were editing, so your changes are no longer saved as you go. Save the form to compare the two versions, or `;
        const link = document.createElement('a');
        link.className = 'govuk-link';
        link.href = window.location.pathname;
        link.textContent = 'reload the page to see theirs';
        status.append(text, link, '.');
        status.classList.add('ntg-autosave-status--problem');
      } else if (response.status === 422 && Array.isArray(answer.errors)) {
        say(`Not saved yet: ${answer.errors.map((error) => error.text).join('. ')}`, true);
      } else {
        say('Not saved yet: the service did not answer. Use the Save button.', true);
      }
    } catch {
      say('Not saved yet: check your connection, or use the Save button.', true);
    } finally {
      sending = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  function schedule() {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  }

  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  // A full save from the buttons replaces any pending background save.
  form.addEventListener('submit', () => clearTimeout(timer));
}

document.querySelectorAll('form[data-ntg-autosave]').forEach(enhance);

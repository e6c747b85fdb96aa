// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

initAll();

/**
 * Upload forms marked data-ntg-upload: send the form in the background so the page can show how much
 * of the file has been sent and, while the service checks and loads it, how many rows it has read.
 * Without JavaScript the form posts normally and the page changes when loading has finished.
 */
function enhanceUpload(form) {
  const panel = form.querySelector('.ntg-upload-progress');
  const bar = form.querySelector('.ntg-upload-progress__bar');
  const status = form.querySelector('.ntg-upload-progress__status');
  const uploadId = form.querySelector('input[name="upload_id"]')?.value;
  if (!panel || !bar || !status || !window.FormData || !window.XMLHttpRequest) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    let polling;
    const show = (percent, text) => {
      panel.hidden = false;
      bar.value = percent;
      status.textContent = text;
    };
    const poll = () => {
      fetch(`/imports/progress/${uploadId}`, { headers: { Accept: 'application/json' } })
        .then((response) => (response.ok ? response.json() : undefined))
        .then((progress) => {
          if (!progress || progress.phase !== 'checking') return;
          const percent = progress.totalBytes > 0 ? Math.round((100 * progress.bytesRead) / progress.totalBytes) : 0;
          show(percent, `Checking and loading: ${progress.rows.toLocaleString('en-GB')} rows read (${percent}%).`);
        })
        .catch(() => undefined);
    };
    request.upload.addEventListener('progress', (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.round((100 * progress.loaded) / progress.total);
      show(percent, `Sending the file: ${percent}%.`);
    });
    request.upload.addEventListener('load', () => {
      show(0, 'File sent. Checking and loading the rows…');
      polling = setInterval(poll, 700);
    });
    request.addEventListener('load', () => {
      clearInterval(polling);
      let answer;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = undefined;
      }
      if (request.status === 200 && answer && answer.location) {
        show(100, answer.message || 'Finished.');
        window.location.assign(answer.location);
        return;
      }
      // Problems with the form itself: let the server render the page with its error summary.
      form.removeAttribute('data-ntg-upload');
      HTMLFormElement.prototype.submit.call(form);
    });
    request.addEventListener('error', () => {
      clearInterval(polling);
      show(0, 'The upload did not finish. Check your connection and try again.');
    });
    request.open('POST', form.action);
    request.setRequestHeader('Accept', 'application/json');
    request.send(new FormData(form));
  });
}

document.querySelectorAll('form[data-ntg-upload]').forEach(enhanceUpload);

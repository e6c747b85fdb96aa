// Progressive enhancement only: without this file every data point keeps its SVG <title>, which
// browsers show on hover, and the table under each chart gives every figure.
//
// Charts marked data-ntg-chart whose points carry data-ntg-tip (see renderChart in src/web/charts.ts)
// get a styled tooltip: on hover, for the point nearest the pointer, and from the keyboard, where the
// chart takes focus and the arrow keys step from point to point. The tooltip stays while the pointer
// is over it and Escape hides it (WCAG 1.4.13). To assistive technology the chart stays one image;
// while it has focus, each point's figures are also announced through a polite live region.

const reach = 40; // pixels: how near a point the pointer must come to show it

function enhanceChart(chart, index) {
  const svg = chart.querySelector('svg');
  const points = Array.from(chart.querySelectorAll('[data-ntg-tip]'));
  const frame = chart.closest('.ntg-figure');
  if (!svg || !frame || points.length === 0) return;
  // The styled tooltip replaces the browser's own, which would otherwise show as well.
  points.forEach((point) => point.querySelector('title')?.remove());

  const tooltip = document.createElement('div');
  tooltip.className = 'ntg-chart-tooltip';
  tooltip.hidden = true;
  tooltip.setAttribute('aria-hidden', 'true');
  const announcer = document.createElement('div');
  announcer.className = 'govuk-visually-hidden';
  announcer.setAttribute('aria-live', 'polite');
  const hint = document.createElement('p');
  hint.className = 'govuk-visually-hidden';
  hint.id = `ntg-chart-keys-${index}`;
  hint.textContent = 'Use the arrow keys to hear the figures point by point; the table below gives them all.';
  frame.append(tooltip, announcer, hint);
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-describedby', hint.id);

  let current = -1;
  const show = (position) => {
    points[current]?.classList.remove('ntg-chart__point--active');
    current = position;
    const point = points[position];
    point.classList.add('ntg-chart__point--active');
    tooltip.textContent = point.getAttribute('data-ntg-tip');
    tooltip.hidden = false;
    const box = point.getBoundingClientRect();
    const origin = frame.getBoundingClientRect();
    // Centred above the point, but kept inside the figure on narrow screens. Measured at the left
    // edge, where it has its full width: near the right edge it would be squeezed narrower.
    tooltip.style.left = '0px';
    const width = tooltip.offsetWidth;
    const left = Math.min(Math.max(box.left + box.width / 2 - origin.left - width / 2, 0), frame.clientWidth - width);
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${box.top - origin.top}px`;
  };
  const hide = () => {
    points[current]?.classList.remove('ntg-chart__point--active');
    tooltip.hidden = true;
  };
  const nearestPoint = (x, y) => {
    let best = -1;
    let bestDistance = reach;
    points.forEach((point, position) => {
      const box = point.getBoundingClientRect();
      const distance = Math.hypot(box.left + box.width / 2 - x, box.top + box.height / 2 - y);
      if (distance < bestDistance) {
        best = position;
        bestDistance = distance;
      }
    });
    return best;
  };

  const follow = (event) => {
    if (tooltip.contains(event.target)) return;
    const position = svg.contains(event.target) ? nearestPoint(event.clientX, event.clientY) : -1;
    if (position === -1) hide();
    else if (position !== current || tooltip.hidden) show(position);
  };
  frame.addEventListener('pointermove', follow);
  frame.addEventListener('pointerdown', follow);
  frame.addEventListener('pointerleave', hide);

  const announce = (position) => {
    show(position);
    announcer.textContent = points[position].getAttribute('data-ntg-tip');
  };
  svg.addEventListener('focus', () => announce(current === -1 ? 0 : current));
  svg.addEventListener('blur', hide);
  svg.addEventListener('keydown', (event) => {
    const last = points.length - 1;
    const moves = {
      ArrowRight: Math.min(current + 1, last),
      ArrowDown: Math.min(current + 1, last),
      ArrowLeft: Math.max(current - 1, 0),
      ArrowUp: Math.max(current - 1, 0),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      announce(moves[event.key]);
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hide();
  });
}

document.querySelectorAll('[data-ntg-chart]').forEach(enhanceChart);

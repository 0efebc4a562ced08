// HDF5/NeXus preview on dataset and landing pages (templates/includes/file_table.html).
//
// Progressive enhancement: the server renders the file list with a hidden "Preview" button on
// each HDF5 row. This entry is tiny: it reveals those buttons and, on the first click, loads
// the viewer chunk (React 18 + H5Web) and mounts it in a modal dialog. Without JavaScript the
// page lists and downloads files as before.

const SELECTOR = 'button[data-h5preview-file]';
let dialog = null;
let unmount = null;
let opener = null;

function element(tag, attributes = {}, text = '') {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function buildDialog() {
  const node = element('dialog', { class: 'h5preview', 'aria-labelledby': 'h5preview-title' });
  const header = element('header', { class: 'h5preview-header' });
  const titles = element('div', { class: 'h5preview-titles' });
  titles.append(
    element('p', { class: 'h5preview-kicker' }, 'HDF5 / NeXus preview'),
    element('h2', { id: 'h5preview-title' }),
  );
  const actions = element('div', { class: 'h5preview-actions' });
  const download = element('a', { class: 'button button-small button-ghost', download: '' }, 'Download');
  const close = element('button', { type: 'button', class: 'button button-small' }, 'Close');
  close.addEventListener('click', () => node.close());
  actions.append(download, close);
  header.append(titles, actions);
  const body = element('div', { class: 'h5preview-body' });
  node.append(header, body);
  node.addEventListener('close', () => {
    if (unmount) unmount();
    unmount = null;
    body.replaceChildren();
    if (opener) opener.focus();
  });
  document.body.append(node);
  return node;
}

function showStatus(body, text, isError = false) {
  body.replaceChildren(
    element('p', { class: isError ? 'h5preview-status notice' : 'h5preview-status', role: 'status' }, text),
  );
}

async function openPreview(button) {
  opener = button;
  dialog = dialog || buildDialog();
  const file = button.dataset.h5previewFile;
  // H5GroveProvider wants an absolute endpoint URL.
  const url = new URL(button.dataset.h5previewEndpoint, window.location.href).href;
  dialog.querySelector('#h5preview-title').textContent = file;
  const download = dialog.querySelector('a[download]');
  download.href = button.dataset.h5previewDownload || '#';
  download.hidden = !button.dataset.h5previewDownload;
  const body = dialog.querySelector('.h5preview-body');
  showStatus(body, 'Loading the viewer…');
  if (!dialog.open) dialog.showModal();
  try {
    const { mountViewer } = await import('./viewer.js');
    if (!dialog.open) return;
    body.replaceChildren();
    const mount = element('div', { class: 'h5preview-app', 'data-h5preview-app': file });
    body.append(mount);
    unmount = mountViewer(mount, { url, filepath: file });
  } catch (error) {
    showStatus(body, `The viewer could not be loaded (${error.message}). You can still download the file.`, true);
  }
}

function enhance(root = document) {
  for (const button of root.querySelectorAll(SELECTOR)) {
    if (button.dataset.h5previewReady) continue;
    button.dataset.h5previewReady = '1';
    button.hidden = false;
    button.addEventListener('click', () => openPreview(button));
  }
}

enhance();

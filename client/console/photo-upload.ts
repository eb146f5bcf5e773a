/**
 * Adding a photo to an entry from the editor's own device: a file picker (on a phone it
 * offers the camera too), a drop onto the composer, or a paste. Each file is uploaded
 * with its progress shown; the server decides whether it is an image and strips its
 * metadata. Once stored, it becomes an image row whose alt text the editor writes.
 */
import { uploadImage } from './api';
import { h } from './dom';
import { messageOf } from './http';

export interface PhotoUploader {
  element: HTMLElement;
  /** Lets `target` take photos dropped or pasted onto it. */
  acceptFrom(target: HTMLElement): void;
}

/** `addRow` makes an image row for an uploaded URL and answers its index. */
export function photoUploader(addRow: (url: string) => number): PhotoUploader {
  // No `capture`: it would force the camera, and a phone then could not pick a photo already taken.
  const input = h('input', {
    type: 'file',
    accept: 'image/*',
    id: 'composer-photo',
    class: 'visually-hidden',
    multiple: true,
    tabindex: -1,
    'aria-label': 'Photo to upload',
  });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  let queue: Promise<void> = Promise.resolve();

  const send = async (file: File): Promise<void> => {
    const name = file.name || 'the photo';
    status.className = 'status';
    status.textContent = `Uploading ${name}…`;
    progress.hidden = false;
    progress.value = 0;
    try {
      const { media } = await uploadImage(file, (fraction) => {
        progress.value = fraction;
        status.textContent = `Uploading ${name}… ${Math.round(fraction * 100)}%`;
      });
      const index = addRow(media.url);
      status.className = 'status ok';
      status.textContent = `Added ${name}. Describe it in its alt text (required), then add a caption and credit.`;
      document.getElementById(`media-${index}-alt`)?.focus();
    } catch (error) {
      status.className = 'status error';
      status.textContent = `Could not add ${name}: ${messageOf(error).replace(/^image: /, '')}`;
    } finally {
      progress.hidden = true;
    }
  };
  const sendAll = (files: Iterable<File>): void => {
    for (const file of files) queue = queue.then(() => send(file));
  };

  input.addEventListener('change', () => {
    if (input.files) sendAll([...input.files]);
    input.value = '';
  });

  const element = h(
    'div',
    { class: 'photo-upload' },
    input,
    h('button', { type: 'button', class: 'small', onclick: () => input.click() }, 'Upload a photo'),
    h('span', { class: 'help' }, ' or drop or paste one into the composer'),
    progress,
    status,
  );

  return {
    element,
    acceptFrom(target) {
      const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;
      target.addEventListener('dragover', (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      });
      target.addEventListener('drop', (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        sendAll([...(event.dataTransfer?.files ?? [])]);
      });
      // Only a pasted image is taken; pasted text goes into the field as usual.
      target.addEventListener('paste', (event) => {
        const images = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
        if (images.length === 0) return;
        event.preventDefault();
        sendAll(images);
      });
    },
  };
}

/**
 * A photo from the editor's own device: a file picker (on a phone it offers the camera
 * too), a drop, or a paste. Each file is uploaded with its progress shown; the server
 * decides whether it is an image and strips its metadata. What happens to the stored
 * photo is the caller's: an image row in the composer, an avatar in a byline.
 */
import type { UploadedMedia } from '../../shared/media';
import { uploadImage } from './api';
import { h } from './dom';
import { messageOf } from './http';

export interface PhotoUploader {
  element: HTMLElement;
  /** Lets `target` take photos dropped or pasted onto it. */
  acceptFrom(target: HTMLElement): void;
}

export interface PhotoUploaderOptions {
  /** The file input's id. */
  inputId: string;
  multiple: boolean;
  buttonLabel: string;
  /** Shown beside the button. */
  help: string;
  /** Takes the stored photo; answers the sentence that says what became of it. */
  uploaded(media: UploadedMedia, fileName: string): string;
}

export function photoUploader(options: PhotoUploaderOptions): PhotoUploader {
  // No `capture`: it would force the camera, and a phone then could not pick a photo already taken.
  const input = h('input', {
    type: 'file',
    accept: 'image/*',
    id: options.inputId,
    class: 'visually-hidden',
    multiple: options.multiple,
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
      status.className = 'status ok';
      status.textContent = options.uploaded(media, name);
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
    h('button', { type: 'button', class: 'small', onclick: () => input.click() }, options.buttonLabel),
    h('span', { class: 'help' }, ` ${options.help}`),
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

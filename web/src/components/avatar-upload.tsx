import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { uploadFile } from '../lib/api';
import type { ApiResponse } from '../lib/api-contract';
import { useErrorMessage, useT } from '../lib/i18n';
import { OWN_ERROR } from '../lib/mutation-errors';
import { queryKeys } from '../lib/query-keys';
import { Alert, Button, Card } from './ui';

/** The server refuses avatars larger than this (AVATAR_MAX_PIXELS in core/lifecycle/avatar.ts). */
const AVATAR_SIZE = 256;

/**
 * Resizes the chosen picture in the browser (canvas, center-cropped square, WebP) so what is
 * uploaded is small; the server still checks type and dimensions from the bytes.
 */
async function resizeToAvatar(file: File): Promise<File> {
  const bitmap = await createImageBitmap(file);
  const side = Math.min(bitmap.width, bitmap.height);
  const target = Math.min(AVATAR_SIZE, side);
  const canvas = document.createElement('canvas');
  canvas.width = target;
  canvas.height = target;
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, target, target);
  bitmap.close();
  const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/webp', 0.9));
  // Browsers without a WebP encoder hand back PNG, which the server accepts too.
  if (!blob) throw new Error('resize failed');
  return new File([blob], blob.type === 'image/webp' ? 'avatar.webp' : 'avatar.png', { type: blob.type });
}

export function AvatarUpload({ avatarUrl, name }: { avatarUrl: string | null; name: string }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    meta: OWN_ERROR,
    mutationFn: async (file: File) => uploadFile<ApiResponse<'/api/v1/users/upload-avatar', 'post'>>('/api/v1/users/upload-avatar', await resizeToAvatar(file), { orgId: null }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.profile() }),
  });
  return (
    <Card title={t('avatar.title')} description={t('avatar.desc')}>
      <div className="flex items-center gap-4">
        {avatarUrl ? (
          <img src={avatarUrl} alt={t('avatar.alt', { name })} className="size-16 rounded-full object-cover" />
        ) : (
          <div aria-hidden className="flex size-16 items-center justify-center rounded-full bg-indigo-100 text-xl font-semibold text-indigo-700">
            {name.slice(0, 1).toUpperCase()}
          </div>
        )}
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/webp"
          className="sr-only"
          aria-label={t('avatar.choose')}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) upload.mutate(file);
            e.target.value = '';
          }}
        />
        <Button variant="secondary" loading={upload.isPending} onClick={() => input.current?.click()}>
          {t('avatar.choose')}
        </Button>
      </div>
      {upload.error && (
        <div className="mt-3">
          <Alert tone="error">{errorMessage(upload.error)}</Alert>
        </div>
      )}
    </Card>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { cx } from '../../../../components/ui';
import { getAccessToken, refreshAccessToken } from '../../../../lib/api';
import { Avatar } from './shared';

/**
 * A contact's picture where the channel gave one (`attributes.avatarUrl`, read through
 * GET /api/v1/contacts/{id}/avatar with the bearer token, shown from an object URL), initials
 * otherwise and while it loads or when it cannot be read.
 */
interface AvatarContact {
  id: string;
  attributes?: Record<string, unknown> | null;
}

async function fetchAvatar(contactId: string, orgId: string): Promise<Blob | null> {
  const send = () =>
    fetch(`/api/v1/contacts/${encodeURIComponent(contactId)}/avatar`, {
      headers: { ...(getAccessToken() ? { Authorization: `Bearer ${getAccessToken()}` } : {}), 'X-Organization-Id': orgId },
      credentials: 'same-origin',
    });
  let res = await send();
  if (res.status === 401 && (await refreshAccessToken())) res = await send();
  // No picture (or an expired platform URL): initials, and no retry storm.
  if (!res.ok) return null;
  return res.blob();
}

const SIZES = { sm: 'size-6', md: 'size-9', lg: 'size-11' } as const;

export function ContactAvatar({
  orgId,
  contact,
  name,
  size = 'md',
  className,
}: {
  orgId: string;
  contact: AvatarContact;
  name: string;
  size?: 'sm' | 'md' | 'lg';
  className?: string;
}) {
  const hasPicture = typeof contact.attributes?.avatarUrl === 'string';
  const picture = useQuery({
    queryKey: ['contact-avatar', orgId, contact.id, contact.attributes?.avatarUrl ?? null],
    queryFn: () => fetchAvatar(contact.id, orgId),
    enabled: hasPicture,
    staleTime: 30 * 60_000,
    gcTime: 30 * 60_000,
    retry: false,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!picture.data) return setUrl(null);
    const made = URL.createObjectURL(picture.data);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [picture.data]);
  // One test id for both forms: the browser suite checks a contact has its avatar wherever it shows.
  if (!url) return <Avatar name={name} seed={contact.id} size={size} className={className} testId="contact-avatar" />;
  return <img src={url} alt="" data-testid="contact-avatar" className={cx('shrink-0 rounded-full object-cover', SIZES[size], className)} />;
}

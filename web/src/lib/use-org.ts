import { useSuspenseQuery } from '@tanstack/react-query';
import { useCurrentOrgId } from './org';
import { organizationsQuery, profileQuery, type OrgSummary } from './queries';

/** The organization the shell is showing; only used below the `_app` layout, where one exists. */
export function useOrg(): OrgSummary {
  const { data: orgs } = useSuspenseQuery(organizationsQuery());
  const id = useCurrentOrgId();
  const org = orgs.find((o) => o.id === id) ?? orgs[0];
  if (!org) throw new Error('No organization selected');
  return org;
}

export function useProfile() {
  return useSuspenseQuery(profileQuery()).data;
}

// Who is signed in to the ANPR pages, kept in the server-side session (cookie anpr_sid): a citizen
// (SPID/CIE, the ANPR app is a relying party of the identity platform) or a registry officer.
import type { FastifyRequest } from 'fastify';
import type { CitizenSession } from '../../../clients/identity/citizen-routes.ts';

export interface OfficerSession {
  accountId: string;
  name: string;
  /** ISTAT code of the officer's comune: the only records they may write (policy.ts). */
  istatCode: string;
  comuneName: string;
}

export function citizenOf(request: FastifyRequest): CitizenSession | undefined {
  return request.session?.data.anprCitizen as CitizenSession | undefined;
}

export function officerOf(request: FastifyRequest): OfficerSession | undefined {
  return request.session?.data.anprOfficer as OfficerSession | undefined;
}

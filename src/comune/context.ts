// What every route module of the comune app shares: repositories, the identity providers, the secret.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../core/runtime.ts';
import type { Executor } from '../core/db.ts';
import type { ProviderName, RelyingParty } from '../clients/identity/login.ts';
import { notFound } from '../core/problem.ts';
import type { Tenant, TenantRepository } from './tenants/tenants.ts';
import type { StaffRepository, StaffRole } from './staff/staff.ts';
import type { CitizenRepository } from './citizens/citizens.ts';
import type { Actor } from './policies.ts';
import type { ComuneInterop } from './interop/service.ts';

export interface ComuneContext {
  app: AppContext;
  db: Executor;
  tenants: TenantRepository;
  staff: StaffRepository;
  citizens: CitizenRepository;
  /** The comune platform as a relying party of SPID and CIE. */
  relyingParty: RelyingParty;
  /** Each ente's PDND connection and its ANPR client (src/comune/interop). */
  interop: ComuneInterop;
}

/** The citizen's login, kept in the server-side session. */
export interface CitizenLogin {
  tenantId: string;
  citizenId: string;
  fiscalCode: string;
  givenName: string;
  familyName: string;
  birthdate?: string;
  placeOfBirth?: string;
  provider: ProviderName;
  acr: string;
  idToken: string;
  accessToken: string;
}

export interface StaffLogin {
  id: string;
  role: StaffRole;
  tenantId: string | null;
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: Tenant;
  }
}

export function citizenLogin(request: FastifyRequest): CitizenLogin | undefined {
  const login = request.session.data.citizen as CitizenLogin | undefined;
  return login && login.tenantId === request.tenant?.id ? login : undefined;
}

export function staffLogin(request: FastifyRequest): StaffLogin | undefined {
  return request.session.data.staff as StaffLogin | undefined;
}

/** Who is asking, for the policies. A citizen counts only on the site of the ente they logged in to. */
export function actorOf(request: FastifyRequest): Actor {
  const staff = staffLogin(request);
  if (staff) {
    return staff.role === 'platform_admin'
      ? { kind: 'staff', role: 'platform_admin', tenantId: null, id: staff.id }
      : { kind: 'staff', role: staff.role, tenantId: staff.tenantId!, id: staff.id };
  }
  const citizen = citizenLogin(request);
  if (citizen) return { kind: 'citizen', tenantId: citizen.tenantId, fiscalCode: citizen.fiscalCode };
  return { kind: 'anonymous' };
}

export function requireTenant(request: FastifyRequest): Tenant {
  if (!request.tenant) throw notFound();
  return request.tenant;
}

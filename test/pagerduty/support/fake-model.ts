/** The fake PagerDuty's records, and what its routes need of it (fake-routes.ts). */
export interface FakeUser { id: string; name: string; email: string }
export interface FakePolicy { id: string; name: string; levels: string[][] }
export interface FakeService { id: string; name: string; escalationPolicyId: string }
export interface FakeShift { policyId: string; level: number; userId: string; start: Date | null; end: Date | null }
interface FakeNote { id: string; content: string; userId: string | undefined; createdAt: Date }
export interface FakeIncident {
  id: string; number: number; title: string; status: 'triggered' | 'acknowledged' | 'resolved';
  incidentKey: string | null; serviceId: string; urgency: 'high' | 'low'; priorityId: string | null;
  escalationPolicyId: string; escalationLevel: number; resolution: string | null; notes: FakeNote[];
  createdAt: Date; updatedAt: Date;
}

export const pdError = (message: string, code: number, errors: string[] = []) => ({ error: { message, code, errors } });

type Json = Record<string, unknown>;

/** The state the REST routes read and change. */
export interface FakeData {
  readonly users: Map<string, FakeUser>;
  readonly policies: Map<string, FakePolicy>;
  readonly services: Map<string, FakeService>;
  readonly priorities: Map<string, string>;
  readonly incidents: Map<string, FakeIncident>;
  maxLimit: number;
  now: () => Date;
  userRef(id: string): Json;
  userJson(u: FakeUser): Json;
  policyJson(p: FakePolicy): Json;
  incidentJson(i: FakeIncident): Json;
  allShifts(): FakeShift[];
}

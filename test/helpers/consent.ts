import type { Express } from 'express';
import request from 'supertest';
import { auth } from './test-app';

/** Records granted biometric consent for each student, as a school must before enrolling their faces. */
export async function grantConsent(app: Express, ...studentIds: string[]): Promise<void> {
  for (const id of studentIds) {
    await request(app).post(`/api/v1/students/${encodeURIComponent(id)}/consent`).set(auth).send({ state: 'granted' }).expect(200);
  }
}

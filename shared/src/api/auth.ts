import { z } from 'zod';

export const loginBodySchema = z.object({ code: z.string().min(1, 'code is required').max(128) });

export const loginResponseSchema = z
  .object({ token: z.string(), expiresAt: z.string(), user: z.object({ id: z.string() }) })
  .meta({ id: 'Session' });

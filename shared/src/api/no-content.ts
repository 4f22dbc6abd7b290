import { z } from 'zod';

/** The body of a 204 answer: none. One schema, so the OpenAPI document and the client agree. */
export const noContentSchema = z.null();

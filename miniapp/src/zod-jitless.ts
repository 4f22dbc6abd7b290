import { z } from 'zod';

/**
 * zod 4 compiles object schemas with `new Function` for speed; WeChat forbids
 * run-time code generation, and the speed-up does not matter for the few
 * answers a page parses. Schemas decide whether to compile when they are
 * created, so this module is imported first by app.tsx, before any schema
 * (the shared API schemas are created on import). Both builds, one behaviour.
 */
z.config({ jitless: true });

/**
 * WeChat forbids run-time code generation. The app entry must make zod
 * jitless before any schema exists, or object schemas compile themselves with
 * `new Function` on their first parse.
 */
import { z } from 'zod';

describe('zod in the app entry', () => {
  it('is jitless once app.tsx is loaded, and the shared schemas parse without generating code', async () => {
    await import('./app');
    expect(z.config().jitless).toBe(true);
    const { citySchema } = await import('@cityhub/shared');
    const original = globalThis.Function;
    const generated: string[] = [];
    // Any `new Function(...)` from here on is recorded (and refused), as WeChat would.
    globalThis.Function = new Proxy(original, {
      construct(_, args: string[]) {
        generated.push(args.join(','));
        throw new Error('code generation is not allowed');
      },
    });
    try {
      const city = { code: '410100', name: '郑州市', provinceCode: '41', provinceName: '河南省', pinyin: 'zhengzhou', initials: 'zz' };
      for (let i = 0; i < 3; i++) expect(citySchema.parse(city)).toEqual(city);
      expect(citySchema.safeParse({ ...city, code: 'x' }).success).toBe(false);
    } finally {
      globalThis.Function = original;
    }
    expect(generated).toEqual([]);
  });
});

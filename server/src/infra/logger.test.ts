import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('logs', () => {
  it('never carry tokens, account numbers or plates unmasked', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info({ headers: { authorization: 'Bearer sekret-token-1234' }, account: { accountNo: '4101000001', plate: '豫A12345' }, token: 'abcd' }, 'x');
    const out = lines.join('');
    expect(out).not.toContain('sekret-token-1234');
    expect(out).not.toContain('4101000001');
    expect(out).not.toContain('豫A12345');
    expect(out).toContain('[redacted]');
  });
});

import { ERROR_STATUS } from '@cityhub/shared';
import { answer } from '../../test/taro';
import { ApiError, errorMessage, request } from '../api/request';
import { z } from 'zod';
import { GENERIC_MESSAGE, residentMessage } from './messages';

const LATIN_WORD = /[A-Za-z]{3,}/;

describe('what a resident reads when something fails', () => {
  it.each(Object.keys(ERROR_STATUS))('%s has a Chinese message with no English in it', (code) => {
    const message = residentMessage(code);
    expect(message).toMatch(/[\u4e00-\u9fff]/);
    expect(message).not.toMatch(LATIN_WORD);
  });

  it('gives a code this build does not know the generic Chinese message, never the code itself', () => {
    expect(residentMessage('SOMETHING_NEW')).toBe(GENERIC_MESSAGE);
    expect(residentMessage('toString')).toBe(GENERIC_MESSAGE);
  });

  it('names the city an account belongs to', () => {
    expect(residentMessage('ACCOUNT_IN_OTHER_CITY', { cityCode: '330100', cityName: '杭州市' })).toBe('这个户号属于杭州市，请切换到杭州市后再试');
    expect(residentMessage('ACCOUNT_IN_OTHER_CITY')).toMatch(/切换城市/);
  });

  describe('over the API', () => {
    const call = () => request({ path: '/cities', schema: z.object({ ok: z.boolean() }) });

    it("shows the code's Chinese message, keeping the hub's English one for support only", async () => {
      const english = 'the provider has no account with these details; check the number on your paper bill';
      answer(() => ({ statusCode: 422, data: { error: { code: 'PROVIDER_ACCOUNT_NOT_FOUND', message: english, requestId: 'req-1' } } }));
      const err = (await call().catch((e: unknown) => e)) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('PROVIDER_ACCOUNT_NOT_FOUND');
      expect(errorMessage(err)).toBe(residentMessage('PROVIDER_ACCOUNT_NOT_FOUND'));
      expect(errorMessage(err)).not.toContain('provider');
      expect(err.serverMessage).toBe(english);
      expect(err.requestId).toBe('req-1');
    });

    it('a 503 page that is not the hub\'s, or an answer it cannot read, is still Chinese', async () => {
      answer(() => ({ statusCode: 503, data: '<html>503 Service Unavailable</html>' }));
      expect(errorMessage(await call().catch((e: unknown) => e))).toBe('服务暂时不可用，请稍后再试');
      answer(() => ({ statusCode: 200, data: { unexpected: true } }));
      expect(errorMessage(await call().catch((e: unknown) => e))).toMatch(/^服务返回了无法识别的数据/);
      expect(errorMessage(new TypeError('x is undefined'))).toBe(GENERIC_MESSAGE);
    });
  });
});

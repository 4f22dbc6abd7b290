import { loginBodySchema, loginResponseSchema, noContentSchema } from '@cityhub/shared';
import { AppError } from '../errors';
import { ApiRouter } from '../http/api-router';
import type { ResidentService } from './residents';
import type { SessionService } from './sessions';

/** Exchanges a mini-program login code for the resident's openid (jscode2session). */
export interface WechatLogin {
  code2Session(code: string): Promise<{ openid: string }>;
}

/** Sign-in and sign-out. The session_key WeChat returns never leaves the server (it is not even kept). */
export function createAuthRoutes({ login, residents, sessions }: { login: WechatLogin; residents: ResidentService; sessions: SessionService }): ApiRouter {
  return new ApiRouter('/auth')
    .route(
      {
        method: 'post',
        path: '/login',
        tag: 'auth',
        summary: 'Sign in with a wx.login code; returns the hub session token',
        body: loginBodySchema,
        response: loginResponseSchema,
        errors: ['LOGIN_FAILED'],
      },
      async ({ body }) => {
        let openid: string;
        try {
          ({ openid } = await login.code2Session(body.code));
        } catch (err) {
          throw new AppError('LOGIN_FAILED', 'the login code is invalid or expired; call wx.login again', undefined, { cause: err });
        }
        const resident = await residents.findOrCreate(openid);
        const session = await sessions.create(resident.id);
        return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: { id: resident.id } };
      },
    )
    .route(
      { method: 'post', path: '/logout', tag: 'auth', summary: 'Revoke the current session token', status: 204, response: noContentSchema },
      async (_input, ctx) => {
        const match = /^Bearer (\S+)$/.exec(ctx.get('authorization'));
        if (match) await sessions.revoke(match[1]);
        return null;
      },
    );
}

import type { CodeAdapterManifest } from '@cityhub/shared';
import type { CityServiceAdapter } from '../contract';
import { EtcTollAdapter } from './etc-toll';
import { TrafficPoliceAdapter } from './traffic-police';

/** Builds a code adapter from its manifest and the revealed transport secret. */
export type CodeAdapterFactory = (manifest: CodeAdapterManifest, secret: string | undefined) => CityServiceAdapter;

/** The TypeScript adapter classes the hub ships, by implementation name. */
export const builtinImplementations: Record<string, CodeAdapterFactory> = {
  [EtcTollAdapter.implementation]: (manifest, secret) => new EtcTollAdapter(manifest, secret),
  [TrafficPoliceAdapter.implementation]: (manifest, secret) => new TrafficPoliceAdapter(manifest, secret),
};
